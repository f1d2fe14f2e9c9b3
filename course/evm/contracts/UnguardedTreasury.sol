// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

/// @title UnguardedTreasury: one missing modifier hands the treasury to anyone (SWC-105/106).
/// @notice `withdrawAll` is guarded by `onlyOwner`, but `setOwner` is not: anyone can make
/// themselves the owner, then withdraw. In 2017 a public initialisation function of the
/// Parity multisig wallet library let an attacker take ownership of it the same way.
/// `GuardedTreasury` is the fix.
contract UnguardedTreasury {
    address public owner;

    event OwnerChanged(address indexed previousOwner, address indexed newOwner);
    event Withdrawn(address indexed to, uint256 amount);

    modifier onlyOwner() {
        require(msg.sender == owner, "UnguardedTreasury: caller is not the owner");
        _;
    }

    constructor() payable {
        owner = msg.sender;
    }

    receive() external payable {}

    // BUG: no onlyOwner. Every function that changes who is in charge needs one.
    function setOwner(address newOwner) external {
        emit OwnerChanged(owner, newOwner);
        owner = newOwner;
    }

    function withdrawAll() external onlyOwner {
        uint256 amount = address(this).balance;
        emit Withdrawn(owner, amount);
        (bool ok, ) = owner.call{value: amount}("");
        require(ok, "UnguardedTreasury: transfer failed");
    }
}
