// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

/// @title VulnerableVault: an ether bank with the bug that emptied The DAO in 2016 (SWC-107).
/// @notice Anyone deposits ether and later withdraws their own balance. `withdraw` sends the
/// ether BEFORE it updates the books. Sending ether to a contract runs that contract's code,
/// and that code can call `withdraw` again while its balance still reads as unpaid: this is
/// reentrancy. Each nested call pays out the same balance once more, until the vault is empty.
/// Never deploy this: `SafeVault` is the fixed version.
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
        // BUG: the interaction comes first. This call runs the receiver's code, and while it
        // runs, balanceOf[msg.sender] still holds `amount`: calling withdraw again pays again.
        (bool ok, ) = msg.sender.call{value: amount}("");
        require(ok, "VulnerableVault: transfer failed");
        // The effect comes too late. (`= 0`, not `-= amount`: since Solidity 0.8 a subtraction
        // below zero reverts, so `-=` would undo the whole attack as the nested calls return.
        // Before 0.8 it silently wrapped around to a huge number.)
        balanceOf[msg.sender] = 0;
        emit Withdrawn(msg.sender, amount);
    }
}
