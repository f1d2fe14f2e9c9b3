// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

/// @title SafeWallet: TxOriginWallet fixed by checking the immediate caller, `msg.sender`.
/// @notice When the owner calls a malicious contract and it calls `transfer` here,
/// `msg.sender` is that contract, not the owner, and the call reverts.
contract SafeWallet {
    address public owner;

    event Sent(address indexed to, uint256 amount);

    constructor() payable {
        owner = msg.sender;
    }

    receive() external payable {}

    function transfer(address payable to, uint256 amount) external {
        require(msg.sender == owner, "SafeWallet: caller is not the owner");
        (bool ok, ) = to.call{value: amount}("");
        require(ok, "SafeWallet: transfer failed");
        emit Sent(to, amount);
    }
}
