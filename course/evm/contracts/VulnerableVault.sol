// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

/// @title VulnerableVault: an ether bank (level 1 of notebook 08: drain it).
/// @notice Anyone deposits ether and later withdraws their own balance.
contract VulnerableVault {
    mapping(address => uint256) public balanceOf;

    event Deposited(address indexed account, uint256 amount);
    event Withdrawn(address indexed account, uint256 amount);

    function deposit() external payable {
        require(msg.value > 0, "VulnerableVault: deposit is zero");
        balanceOf[msg.sender] += msg.value;
        emit Deposited(msg.sender, msg.value);
    }

    function withdraw() external {
        uint256 amount = balanceOf[msg.sender];
        require(amount > 0, "VulnerableVault: nothing to withdraw");
        (bool ok, ) = msg.sender.call{value: amount}("");
        require(ok, "VulnerableVault: transfer failed");
        balanceOf[msg.sender] = 0;
        emit Withdrawn(msg.sender, amount);
    }
}
