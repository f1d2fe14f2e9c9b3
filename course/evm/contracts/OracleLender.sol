// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

interface IERC20Lender {
    function balanceOf(address owner) external view returns (uint256);
    function transfer(address to, uint256 value) external returns (bool);
    function transferFrom(address from, address to, uint256 value) external returns (bool);
}

interface ICoursePair {
    function token0() external view returns (address);
    function getReserves() external view returns (uint256, uint256);
    function price0CumulativeLast() external view returns (uint256);
    function price1CumulativeLast() external view returns (uint256);
    function blockTimestampLast() external view returns (uint32);
}

/// @title OracleLender: deposit a collateral token, borrow a debt token against its price.
/// @notice The price comes from a CoursePair, in one of two ways chosen at deployment:
/// the spot price (the pair's reserves right now: whoever trades first in the same transaction
/// decides it) or the time-weighted average since the last observation, at least `window`
/// seconds long (Uniswap V2's oracle: a trade cannot move the average within its own block).
/// Prices are UQ112x112 fixed point (debt units per collateral unit, times 2**112).
/// Deliberately small: no interest, no repayment, no liquidation (notebook 10 teaches those).
contract OracleLender {
    ICoursePair public immutable pair;
    address public immutable collateralToken;
    address public immutable debtToken;
    bool public immutable collateralIsToken0;
    uint256 public immutable ltvBps;      // borrow up to this share of the collateral's value
    bool public immutable useTwap;
    uint256 public immutable window;      // seconds the average must cover (TWAP only)

    uint256 public observedCumulative;    // the pair's price sum at the last observation
    uint256 public observedAt;            // and its time
    mapping(address => uint256) public collateralOf;
    mapping(address => uint256) public debtOf;

    event Deposit(address indexed user, uint256 amount);
    event Borrow(address indexed user, uint256 amount, uint256 priceX112);

    constructor(address pair_, address collateralToken_, address debtToken_, uint256 ltvBps_,
                bool useTwap_, uint256 window_) {
        require(ltvBps_ > 0 && ltvBps_ < 10_000, "OracleLender: LTV_OUT_OF_RANGE");
        require(!useTwap_ || window_ > 0, "OracleLender: WINDOW_IS_ZERO");
        pair = ICoursePair(pair_);
        collateralToken = collateralToken_;
        debtToken = debtToken_;
        collateralIsToken0 = ICoursePair(pair_).token0() == collateralToken_;
        ltvBps = ltvBps_;
        useTwap = useTwap_;
        window = window_;
    }

    /// @notice The spot price: debt reserve / collateral reserve, times 2**112.
    function spotPriceX112() public view returns (uint256) {
        (uint256 reserve0, uint256 reserve1) = pair.getReserves();
        require(reserve0 > 0 && reserve1 > 0, "OracleLender: NO_LIQUIDITY");
        return collateralIsToken0 ? (reserve1 << 112) / reserve0 : (reserve0 << 112) / reserve1;
    }

    /// @notice The pair's price sum as of now: the stored sum, plus the current price times the
    /// seconds since the pair's last update (Uniswap's currentCumulativePrices).
    function currentCumulative() public view returns (uint256 cumulative) {
        cumulative = collateralIsToken0 ? pair.price0CumulativeLast() : pair.price1CumulativeLast();
        uint32 last = pair.blockTimestampLast();
        unchecked {
            uint32 elapsed = uint32(block.timestamp % 2 ** 32) - last;
            if (elapsed > 0) cumulative += spotPriceX112() * elapsed;
        }
    }

    /// @notice Start (or restart) the averaging window; anyone may call it once a window passed.
    function observe() external {
        require(observedAt == 0 || block.timestamp - observedAt >= window, "OracleLender: WINDOW_NOT_ELAPSED");
        observedCumulative = currentCumulative();
        observedAt = block.timestamp;
    }

    /// @notice The price this lender believes: spot, or the average since the observation.
    function priceX112() public view returns (uint256) {
        if (!useTwap) return spotPriceX112();
        require(observedAt > 0 && block.timestamp - observedAt >= window, "OracleLender: WINDOW_NOT_ELAPSED");
        unchecked {
            return (currentCumulative() - observedCumulative) / (block.timestamp - observedAt);
        }
    }

    /// @notice The most `user` may borrow in total: collateral * price * LTV, rounded down.
    function borrowLimit(address user) public view returns (uint256) {
        return (collateralOf[user] * priceX112() >> 112) * ltvBps / 10_000;
    }

    function deposit(uint256 amount) external {
        require(amount > 0, "OracleLender: ZERO_AMOUNT");
        require(IERC20Lender(collateralToken).transferFrom(msg.sender, address(this), amount),
                "OracleLender: TRANSFER_FAILED");
        collateralOf[msg.sender] += amount;
        emit Deposit(msg.sender, amount);
    }

    function borrow(uint256 amount) external {
        require(amount > 0, "OracleLender: ZERO_AMOUNT");
        require(debtOf[msg.sender] + amount <= borrowLimit(msg.sender), "OracleLender: INSUFFICIENT_COLLATERAL");
        require(amount <= IERC20Lender(debtToken).balanceOf(address(this)), "OracleLender: NOT_ENOUGH_CASH");
        debtOf[msg.sender] += amount;
        require(IERC20Lender(debtToken).transfer(msg.sender, amount), "OracleLender: TRANSFER_FAILED");
        emit Borrow(msg.sender, amount, priceX112());
    }
}
