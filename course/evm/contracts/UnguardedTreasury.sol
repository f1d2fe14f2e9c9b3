// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

/// @title UnguardedTreasury: a treasury only its owner may empty (level 2 of notebook 08).
/// @notice The deployer is the owner; the owner can hand the treasury over and withdraw it.
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
