// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

/// @title GuardedTreasury: UnguardedTreasury with `onlyOwner` on every privileged function.
/// @notice An audit lists each function that moves money or changes permissions and asks of
/// each one: who may call this? Here the answer is "the owner" for both.
contract GuardedTreasury {
    address public owner;

    event OwnerChanged(address indexed previousOwner, address indexed newOwner);
    event Withdrawn(address indexed to, uint256 amount);

    modifier onlyOwner() {
        require(msg.sender == owner, "GuardedTreasury: caller is not the owner");
        _;
    }

    constructor() payable {
        owner = msg.sender;
    }

    receive() external payable {}

    function setOwner(address newOwner) external onlyOwner {
        require(newOwner != address(0), "GuardedTreasury: new owner is the zero address");
        emit OwnerChanged(owner, newOwner);
        owner = newOwner;
    }

    function withdrawAll() external onlyOwner {
        uint256 amount = address(this).balance;
        emit Withdrawn(owner, amount);
        (bool ok, ) = owner.call{value: amount}("");
        require(ok, "GuardedTreasury: transfer failed");
    }
}
