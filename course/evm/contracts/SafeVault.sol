// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

/// @title SafeVault: VulnerableVault fixed twice over.
/// @notice 1. Checks-effects-interactions: `withdraw` checks, then zeroes the balance, and only
///            then sends the ether. A receiver that calls back in finds a balance of zero.
///         2. A reentrancy guard: while a guarded function runs, any call back into a guarded
///            function reverts. Either fix alone stops the attack; together they also protect
///            functions written later by someone who forgets the first rule.
contract SafeVault {
    mapping(address => uint256) public balanceOf;
    bool private locked;

    event Deposited(address indexed account, uint256 amount);
    event Withdrawn(address indexed account, uint256 amount);

    /// @dev The same idea as OpenZeppelin's ReentrancyGuard, written out.
    modifier nonReentrant() {
        require(!locked, "SafeVault: reentrant call");
        locked = true;
        _;
        locked = false;
    }

    function deposit() external payable nonReentrant {
        require(msg.value > 0, "SafeVault: deposit is zero");
        balanceOf[msg.sender] += msg.value;
        emit Deposited(msg.sender, msg.value);
    }

    function withdraw() external nonReentrant {
        // Checks
        uint256 amount = balanceOf[msg.sender];
        require(amount > 0, "SafeVault: nothing to withdraw");
        // Effects: the books are right before any outside code runs.
        balanceOf[msg.sender] = 0;
        emit Withdrawn(msg.sender, amount);
        // Interactions: if the receiver reverts (for example because its attempt to re-enter
        // hit the guard), the whole withdrawal reverts and the balance comes back.
        (bool ok, ) = msg.sender.call{value: amount}("");
        require(ok, "SafeVault: transfer failed");
    }
}
