// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

interface IERC20Flash {
    function balanceOf(address owner) external view returns (uint256);
    function transfer(address to, uint256 value) external returns (bool);
}

/// @notice What a flash borrower implements: it receives the tokens, then this call, and must
/// have sent back amount + fee by the time the call returns.
interface IFlashBorrower {
    function onFlashLoan(address token, uint256 amount, uint256 fee, bytes calldata data) external;
}

/// @title FlashLoanPool: lend any amount for the length of one transaction.
/// @notice A flash loan needs no collateral because it cannot default: the pool sends the tokens,
/// calls the borrower, and then checks its own balance. Not repaid with the fee, the whole
/// transaction reverts, as if the loan had never happened. Aave's flash loans work this way.
contract FlashLoanPool {
    address public immutable token;
    uint256 public immutable feeBps;  // fee in basis points of the amount, rounded up
    uint256 private unlocked = 1;

    event FlashLoan(address indexed borrower, uint256 amount, uint256 fee);

    constructor(address token_, uint256 feeBps_) {
        require(feeBps_ < 10_000, "FlashLoanPool: FEE_TOO_HIGH");
        token = token_;
        feeBps = feeBps_;
    }

    function flashFee(uint256 amount) public view returns (uint256) {
        return (amount * feeBps + 9_999) / 10_000;
    }

    function flashLoan(uint256 amount, bytes calldata data) external {
        require(unlocked == 1, "FlashLoanPool: LOCKED");
        unlocked = 0;
        uint256 balanceBefore = IERC20Flash(token).balanceOf(address(this));
        require(amount > 0 && amount <= balanceBefore, "FlashLoanPool: NOT_ENOUGH_LIQUIDITY");
        uint256 fee = flashFee(amount);
        require(IERC20Flash(token).transfer(msg.sender, amount), "FlashLoanPool: TRANSFER_FAILED");
        IFlashBorrower(msg.sender).onFlashLoan(token, amount, fee, data);
        require(IERC20Flash(token).balanceOf(address(this)) >= balanceBefore + fee,
                "FlashLoanPool: NOT_REPAID");
        emit FlashLoan(msg.sender, amount, fee);
        unlocked = 1;
    }
}
