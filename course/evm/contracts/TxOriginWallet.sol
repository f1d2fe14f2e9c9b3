// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

/// @title TxOriginWallet: a wallet only its owner may spend from (level 3 of notebook 08).
/// @notice The deployer is the owner; `transfer` sends the wallet's ether where the owner says.
contract TxOriginWallet {
    address public owner;

    event Sent(address indexed to, uint256 amount);

    constructor() payable {
        owner = msg.sender;
    }

    receive() external payable {}

    function transfer(address payable to, uint256 amount) external {
        require(tx.origin == owner, "TxOriginWallet: caller is not the owner");
        (bool ok, ) = to.call{value: amount}("");
        require(ok, "TxOriginWallet: transfer failed");
        emit Sent(to, amount);
    }
}
