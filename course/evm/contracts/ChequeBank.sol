// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

/// @title ChequeBank: pay by signed cheque (level 6 of notebook 08: drain Alice's account).
/// @notice Anyone deposits ether. To pay someone, a depositor signs a cheque off-chain,
/// "pay `to` `amount` wei", with their key (an Ethereum signed message); whoever holds the
/// cheque cashes it, and the bank pays from the signer's balance.
contract ChequeBank {
    mapping(address => uint256) public balanceOf;

    event Cashed(address indexed payer, address indexed to, uint256 amount);

    function deposit() external payable {
        balanceOf[msg.sender] += msg.value;
    }

    function depositFor(address account) external payable {
        balanceOf[account] += msg.value;
    }

    function cash(address payable to, uint256 amount, uint8 v, bytes32 r, bytes32 s) external {
        bytes32 message = keccak256(abi.encodePacked(to, amount));
        bytes32 digest = keccak256(abi.encodePacked("\x19Ethereum Signed Message:\n32", message));
        address payer = ecrecover(digest, v, r, s);
        require(payer != address(0), "ChequeBank: bad signature");
        require(balanceOf[payer] >= amount, "ChequeBank: insufficient funds");
        balanceOf[payer] -= amount;
        emit Cashed(payer, to, amount);
        (bool ok, ) = to.call{value: amount}("");
        require(ok, "ChequeBank: transfer failed");
    }
}
