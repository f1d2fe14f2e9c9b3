// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

interface IERC20Attacker {
    function balanceOf(address owner) external view returns (uint256);
    function transfer(address to, uint256 value) external returns (bool);
}

interface IFlashLender {
    function flashLoan(uint256 amount, bytes calldata data) external;
}

/// @title FlashAttacker: borrow a flash loan, run a list of calls, repay, keep what is left.
/// @notice Real attackers deploy a contract like this one: the loan and every step of the attack
/// must happen inside one transaction. The steps are ordinary calls (target, calldata) made with
/// this contract as msg.sender; any failing step reverts everything. Only the owner may attack.
contract FlashAttacker {
    address public immutable owner;
    address private activePool;

    constructor() {
        owner = msg.sender;
    }

    /// @notice Flash-borrow `amount` from `pool` and run `steps`, the ABI encoding of
    /// (address[] targets, bytes[] calldatas).
    function attack(address pool, uint256 amount, bytes calldata steps) external {
        require(msg.sender == owner, "FlashAttacker: NOT_OWNER");
        activePool = pool;
        IFlashLender(pool).flashLoan(amount, steps);
        activePool = address(0);
    }

    /// @notice Called by the pool in the middle of flashLoan: run the steps, then repay.
    function onFlashLoan(address token, uint256 amount, uint256 fee, bytes calldata payload)
        external
    {
        require(msg.sender == activePool, "FlashAttacker: NOT_THE_POOL");
        (address[] memory targets, bytes[] memory data) = abi.decode(payload, (address[], bytes[]));
        require(targets.length == data.length, "FlashAttacker: LENGTH_MISMATCH");
        for (uint256 i = 0; i < targets.length; i++) {
            (bool ok, bytes memory result) = targets[i].call(data[i]);
            if (!ok) {
                assembly { revert(add(result, 32), mload(result)) }  // pass the reason on
            }
        }
        require(IERC20Attacker(token).transfer(msg.sender, amount + fee), "FlashAttacker: REPAY_FAILED");
    }

    /// @notice Send this contract's whole balance of `token` to the owner.
    function sweep(address token) external {
        require(msg.sender == owner, "FlashAttacker: NOT_OWNER");
        uint256 balance = IERC20Attacker(token).balanceOf(address(this));
        require(IERC20Attacker(token).transfer(owner, balance), "FlashAttacker: TRANSFER_FAILED");
    }
}
