// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

/// @title TxOriginWallet: a wallet that asks "who signed this transaction?" instead of
/// "who is calling me?" (SWC-115).
/// @notice `tx.origin` is the account that signed the transaction, however many contracts it
/// passed through on the way; `msg.sender` is the immediate caller. If the owner can be talked
/// into calling ANY contract (an airdrop, a game, a mint), that contract can call `transfer`
/// here, and `tx.origin` is still the owner: the check passes. `SafeWallet` is the fix.
contract TxOriginWallet {
    address public owner;

    event Sent(address indexed to, uint256 amount);

    constructor() payable {
        owner = msg.sender;
    }

    receive() external payable {}

    function transfer(address payable to, uint256 amount) external {
        // BUG: tx.origin, not msg.sender. A contract the owner calls passes this check.
        require(tx.origin == owner, "TxOriginWallet: caller is not the owner");
        (bool ok, ) = to.call{value: amount}("");
        require(ok, "TxOriginWallet: transfer failed");
        emit Sent(to, amount);
    }
}
