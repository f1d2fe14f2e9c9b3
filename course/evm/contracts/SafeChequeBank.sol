// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

/// @title SafeChequeBank: ChequeBank whose cheques are EIP-712 typed data with a nonce.
/// @notice A cheque signs `Cheque(address to,uint256 amount,uint256 nonce)` under a domain that
/// names this bank, its version, the chain id and this contract's address. The bank accepts
/// only the payer's next nonce and then counts it used: a cheque is cashed once, on this chain,
/// at this bank.
contract SafeChequeBank {
    bytes32 public constant DOMAIN_TYPEHASH = keccak256(
        "EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)");
    bytes32 public constant CHEQUE_TYPEHASH =
        keccak256("Cheque(address to,uint256 amount,uint256 nonce)");

    mapping(address => uint256) public balanceOf;
    mapping(address => uint256) public nonces;

    event Cashed(address indexed payer, address indexed to, uint256 amount, uint256 nonce);

    function deposit() external payable {
        balanceOf[msg.sender] += msg.value;
    }

    function depositFor(address account) external payable {
        balanceOf[account] += msg.value;
    }

    function domainSeparator() public view returns (bytes32) {
        return keccak256(abi.encode(DOMAIN_TYPEHASH, keccak256("SafeChequeBank"), keccak256("1"),
                                    block.chainid, address(this)));
    }

    function cash(address payable to, uint256 amount, address payer, uint8 v, bytes32 r,
                  bytes32 s) external {
        uint256 nonce = nonces[payer];
        bytes32 structHash = keccak256(abi.encode(CHEQUE_TYPEHASH, to, amount, nonce));
        bytes32 digest = keccak256(abi.encodePacked("\x19\x01", domainSeparator(), structHash));
        address signer = ecrecover(digest, v, r, s);
        require(signer != address(0) && signer == payer,
                "SafeChequeBank: not signed by the payer for this nonce, chain and bank");
        require(balanceOf[payer] >= amount, "SafeChequeBank: insufficient funds");
        nonces[payer] = nonce + 1;
        balanceOf[payer] -= amount;
        emit Cashed(payer, to, amount, nonce);
        (bool ok, ) = to.call{value: amount}("");
        require(ok, "SafeChequeBank: transfer failed");
    }
}
