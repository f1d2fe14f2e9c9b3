// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

/// @notice The two ERC-20 functions the pair needs from its tokens.
interface IERC20Minimal {
    function balanceOf(address owner) external view returns (uint256);
    function transfer(address to, uint256 value) external returns (bool);
}

/// @title CoursePair: a constant-product pool with Uniswap V2's rules, written out to be read.
/// @notice Like UniswapV2Pair, the pair never pulls tokens: you first transfer tokens to it, then
/// call mint or swap, and it works out what arrived from its balances. Fee 0.3% on the input;
/// the first deposit locks MINIMUM_LIQUIDITY shares forever. LP shares are kept as balances here
/// (Uniswap makes them an ERC-20 token) and there is no protocol fee. Like V2, the pair keeps a
/// price oracle: running sums of each price times the seconds it held (whitepaper section 2.2),
/// from which a contract reads a time-weighted average price (notebook 10, OracleLender).
contract CoursePair {
    uint256 public constant MINIMUM_LIQUIDITY = 1000;

    address public immutable token0;
    address public immutable token1;
    uint256 public reserve0;
    uint256 public reserve1;
    uint256 public totalSupply;
    mapping(address => uint256) public balanceOf;

    /// @notice Sum over time of (reserve1 / reserve0) * 2**112 * seconds, and the inverse price:
    /// each is added once per block, with the reserves as they stood before that block's first
    /// trade, so a trade cannot move the average within the block it is in.
    uint256 public price0CumulativeLast;
    uint256 public price1CumulativeLast;
    uint32 public blockTimestampLast;

    uint256 private unlocked = 1;

    event Mint(address indexed sender, uint256 amount0, uint256 amount1, uint256 liquidity);
    event Burn(address indexed sender, uint256 amount0, uint256 amount1, address indexed to);
    event Swap(address indexed sender, uint256 amount0In, uint256 amount1In,
               uint256 amount0Out, uint256 amount1Out, address indexed to);

    modifier lock() {
        require(unlocked == 1, "CoursePair: LOCKED");
        unlocked = 0;
        _;
        unlocked = 1;
    }

    constructor(address token0_, address token1_) {
        token0 = token0_;
        token1 = token1_;
    }

    /// @notice Mint LP shares for the tokens transferred to the pair since the last update.
    function mint(address to) external lock returns (uint256 liquidity) {
        uint256 balance0 = IERC20Minimal(token0).balanceOf(address(this));
        uint256 balance1 = IERC20Minimal(token1).balanceOf(address(this));
        uint256 amount0 = balance0 - reserve0;
        uint256 amount1 = balance1 - reserve1;
        if (totalSupply == 0) {
            liquidity = _sqrt(amount0 * amount1) - MINIMUM_LIQUIDITY;
            balanceOf[address(0)] = MINIMUM_LIQUIDITY;  // locked forever
            totalSupply = MINIMUM_LIQUIDITY;
        } else {
            liquidity = _min(amount0 * totalSupply / reserve0, amount1 * totalSupply / reserve1);
        }
        require(liquidity > 0, "CoursePair: INSUFFICIENT_LIQUIDITY_MINTED");
        balanceOf[to] += liquidity;
        totalSupply += liquidity;
        _update(balance0, balance1);
        emit Mint(msg.sender, amount0, amount1, liquidity);
    }

    /// @notice Burn `liquidity` of the caller's shares and send both tokens pro rata to `to`.
    function burn(uint256 liquidity, address to) external lock returns (uint256 amount0, uint256 amount1) {
        require(balanceOf[msg.sender] >= liquidity, "CoursePair: INSUFFICIENT_SHARES");
        uint256 balance0 = IERC20Minimal(token0).balanceOf(address(this));
        uint256 balance1 = IERC20Minimal(token1).balanceOf(address(this));
        amount0 = liquidity * balance0 / totalSupply;
        amount1 = liquidity * balance1 / totalSupply;
        require(amount0 > 0 && amount1 > 0, "CoursePair: INSUFFICIENT_LIQUIDITY_BURNED");
        balanceOf[msg.sender] -= liquidity;
        totalSupply -= liquidity;
        require(IERC20Minimal(token0).transfer(to, amount0), "CoursePair: TRANSFER_FAILED");
        require(IERC20Minimal(token1).transfer(to, amount1), "CoursePair: TRANSFER_FAILED");
        _update(balance0 - amount0, balance1 - amount1);
        emit Burn(msg.sender, amount0, amount1, to);
    }

    /// @notice Send out the amounts asked for, then check that the tokens transferred in (minus the
    /// 0.3% fee) keep reserve0 * reserve1 from falling: the constant-product rule ("K").
    function swap(uint256 amount0Out, uint256 amount1Out, address to) external lock {
        require(amount0Out > 0 || amount1Out > 0, "CoursePair: INSUFFICIENT_OUTPUT_AMOUNT");
        require(amount0Out < reserve0 && amount1Out < reserve1, "CoursePair: INSUFFICIENT_LIQUIDITY");
        if (amount0Out > 0) require(IERC20Minimal(token0).transfer(to, amount0Out), "CoursePair: TRANSFER_FAILED");
        if (amount1Out > 0) require(IERC20Minimal(token1).transfer(to, amount1Out), "CoursePair: TRANSFER_FAILED");
        uint256 balance0 = IERC20Minimal(token0).balanceOf(address(this));
        uint256 balance1 = IERC20Minimal(token1).balanceOf(address(this));
        uint256 amount0In = balance0 > reserve0 - amount0Out ? balance0 - (reserve0 - amount0Out) : 0;
        uint256 amount1In = balance1 > reserve1 - amount1Out ? balance1 - (reserve1 - amount1Out) : 0;
        require(amount0In > 0 || amount1In > 0, "CoursePair: INSUFFICIENT_INPUT_AMOUNT");
        uint256 balance0Adjusted = balance0 * 1000 - amount0In * 3;
        uint256 balance1Adjusted = balance1 * 1000 - amount1In * 3;
        require(balance0Adjusted * balance1Adjusted >= reserve0 * reserve1 * 1000 ** 2, "CoursePair: K");
        _update(balance0, balance1);
        emit Swap(msg.sender, amount0In, amount1In, amount0Out, amount1Out, to);
    }

    function getReserves() external view returns (uint256, uint256) {
        return (reserve0, reserve1);
    }

    /// @dev Store the new reserves; first, if time has passed since the last update, add the old
    /// prices times the seconds elapsed to the running sums (UQ112x112 fixed point, as in V2).
    function _update(uint256 balance0, uint256 balance1) private {
        require(balance0 <= type(uint112).max && balance1 <= type(uint112).max, "CoursePair: OVERFLOW");
        uint32 blockTimestamp = uint32(block.timestamp % 2 ** 32);
        unchecked {  // V2 lets the sums and the 32-bit time wrap: only differences are read
            uint32 timeElapsed = blockTimestamp - blockTimestampLast;
            if (timeElapsed > 0 && reserve0 != 0 && reserve1 != 0) {
                price0CumulativeLast += (reserve1 << 112) / reserve0 * timeElapsed;
                price1CumulativeLast += (reserve0 << 112) / reserve1 * timeElapsed;
            }
        }
        reserve0 = balance0;
        reserve1 = balance1;
        blockTimestampLast = blockTimestamp;
    }

    function _min(uint256 a, uint256 b) private pure returns (uint256) {
        return a < b ? a : b;
    }

    /// @dev Babylonian method, as in Uniswap's Math.sqrt: the integer square root, rounded down.
    function _sqrt(uint256 y) private pure returns (uint256 z) {
        if (y > 3) {
            z = y;
            uint256 x = y / 2 + 1;
            while (x < z) {
                z = x;
                x = (y / x + x) / 2;
            }
        } else if (y != 0) {
            z = 1;
        }
    }
}
