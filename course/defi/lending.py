"""Over-collateralized lending with Aave's rules: health factor, borrowing power, liquidations.

A borrower deposits collateral and borrows against it. Each asset has three risk numbers:
its LTV (how much of its value you may borrow), its liquidation threshold (the share of its value
that counts towards solvency) and its liquidation bonus (the discount a liquidator gets). The
health factor HF = sum(collateral * price * threshold) / sum(debt * price); below 1 anyone may
repay part of the debt and take collateral worth the repaid amount times (1 + bonus).

Amounts are floats in whole tokens and prices are in one base currency (say USD). Aave does the
same arithmetic in integer wei with half-up rounding; we keep the formulas, not the rounding.
Sources: Aave V2 whitepaper (2020) and docs; aave-v3-core, LiquidationLogic.sol and
PoolConfigurator.sol (v1.x, 2022).
Taught in notebooks 10 (health factor, liquidations) and 11 (liquidation odds).
"""

from __future__ import annotations

import copy
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from course.errors import DefiError
from course.validation import (
    ensure,
    ensure_instance,
    ensure_int,
    ensure_number,
    ensure_numbers,
    ensure_text,
    is_number,
)

# Aave V3 LiquidationLogic: 50% of a debt may be repaid while HF > 0.95, all of it at or below.
DEFAULT_CLOSE_FACTOR = 0.5  # DEFAULT_LIQUIDATION_CLOSE_FACTOR = 0.5e4 (Aave V2's only value)
MAX_CLOSE_FACTOR = 1.0  # MAX_LIQUIDATION_CLOSE_FACTOR = 1e4
CLOSE_FACTOR_HF_THRESHOLD = 0.95  # CLOSE_FACTOR_HF_THRESHOLD = 0.95e18
# Aave stores 1 + bonus as a uint16 of basis points: at most 65535, so a bonus up to 555.35%.
MAX_LIQUIDATION_BONUS = 5.5535
MAX_AMOUNT = 1e18  # tokens: more than any token's supply; keeps every amount * price finite
MAX_PRICE = 1e18  # base currency per token
MAX_CASCADE_ROUNDS = 10_000
_TOLERANCE = 1e-9  # relative slack for float comparisons a learner makes by hand


class LendingError(DefiError, ValueError):
    """An operation the lending market refuses; the message names the field and the rule."""


class InvalidAssetConfig(LendingError):
    """An asset's LTV, liquidation threshold or bonus breaks Aave's PoolConfigurator rules."""


class UnknownAsset(LendingError):
    """A symbol with no Asset configuration or no price."""


class InvalidAmount(LendingError):
    """An amount or price that is not a positive (or, for balances, non-negative) finite number."""


class InvalidMarketParameter(LendingError):
    """A health factor, close factor, market depth or round count outside its range."""


class PositionHealthy(LendingError):
    """A liquidation of a position whose health factor is not below 1."""


class NotInPosition(LendingError):
    """A liquidation naming a debt the borrower does not owe or collateral it does not hold."""


class RepayAboveCloseFactor(LendingError):
    """A liquidation repaying more than the close factor allows."""


class UnsupportedPosition(LendingError):
    """A question asked of a position of the wrong shape (e.g. two collaterals)."""


def _ensure_balances(amounts: object, name: str) -> Mapping[str, float]:
    """A mapping of symbol -> token amount, every amount finite and in [0, MAX_AMOUNT]."""
    ensure_instance(amounts, name, Mapping, rule="a dict of symbol -> amount",
                    error=InvalidAmount)
    for symbol, amount in amounts.items():  # type: ignore[attr-defined]
        ensure_text(symbol, f"a symbol in {name}", error=UnknownAsset)
        ensure_number(amount, f"{name}[{symbol!r}]", minimum=0, maximum=MAX_AMOUNT,
                      meaning="tokens", error=InvalidAmount)
    return amounts  # type: ignore[return-value]


@dataclass(frozen=True)
class Asset:
    """An asset's risk parameters, as fractions: e.g. ltv 0.80, threshold 0.825, bonus 0.05."""

    symbol: str
    ltv: float
    liquidation_threshold: float
    liquidation_bonus: float

    def __post_init__(self) -> None:
        ensure_text(self.symbol, "symbol", error=InvalidAssetConfig)
        for name, maximum in (("ltv", 1.0), ("liquidation_threshold", 1.0),
                              ("liquidation_bonus", MAX_LIQUIDATION_BONUS)):
            ensure_number(getattr(self, name), f"{self.symbol}.{name}", minimum=0,
                          maximum=maximum, meaning="a fraction", error=InvalidAssetConfig)
        if self.ltv > self.liquidation_threshold:
            raise InvalidAssetConfig(f"{self.symbol}.ltv {self.ltv} must not exceed its "
                                     f"liquidation_threshold {self.liquidation_threshold}")
        if self.liquidation_threshold == 0 and self.liquidation_bonus != 0:
            raise InvalidAssetConfig(
                f"{self.symbol}.liquidation_bonus must be 0 when its liquidation_threshold is 0 "
                f"(not collateral, nothing to liquidate: Aave's PoolConfigurator), got "
                f"{self.liquidation_bonus}")
        if self.liquidation_threshold > 0 and self.liquidation_bonus <= 0:
            raise InvalidAssetConfig(f"{self.symbol}.liquidation_bonus must be positive for "
                                     f"collateral, got {self.liquidation_bonus}")
        if self.liquidation_threshold * (1 + self.liquidation_bonus) > 1:
            raise InvalidAssetConfig(
                f"{self.symbol}: liquidation_threshold * (1 + liquidation_bonus) = "
                f"{self.liquidation_threshold * (1 + self.liquidation_bonus):.4f} must be <= 1, "
                f"or a liquidation could not pay its bonus out of the collateral")


def _asset(assets: Mapping[str, Asset], symbol: str) -> Asset:
    ensure_instance(assets, "assets", Mapping, rule="a dict of symbol -> Asset",
                    error=InvalidAssetConfig)
    if symbol not in assets:
        raise UnknownAsset(f"asset {symbol!r} has no configuration; known: "
                           f"{sorted(map(str, assets))}")
    return ensure_instance(assets[symbol], f"assets[{symbol!r}]", Asset,
                           error=InvalidAssetConfig)


def _ensure_prices(prices: object) -> Mapping[str, float]:
    return ensure_instance(prices, "prices", Mapping, rule="a dict of symbol -> price",
                           error=InvalidAmount)


def _price(prices: Mapping[str, float], symbol: str) -> float:
    _ensure_prices(prices)
    if symbol not in prices:
        raise UnknownAsset(f"asset {symbol!r} has no price; priced: {sorted(map(str, prices))}")
    return ensure_number(prices[symbol], f"prices[{symbol!r}]", above=0, maximum=MAX_PRICE,
                         meaning="base currency per token", error=InvalidAmount)


def _value(amounts: Mapping[str, float], prices: Mapping[str, float],
           weight: Mapping[str, float] | None = None) -> float:
    """Sum of amount * price (* weight) over the symbols, in the base currency."""
    return sum(amount * _price(prices, symbol) * (1.0 if weight is None else weight[symbol])
               for symbol, amount in amounts.items())


def health_factor(collateral: Mapping[str, float], debt: Mapping[str, float],
                  prices: Mapping[str, float], assets: Mapping[str, Asset]) -> float:
    """HF = sum(collateral * price * liquidation_threshold) / sum(debt * price); inf with no debt.

    Raises:
        InvalidAmount: a negative, infinite or NaN balance or price.
        UnknownAsset: a symbol with no configuration or no price.
    """
    _ensure_balances(collateral, "collateral")
    _ensure_balances(debt, "debt")
    thresholds = {s: _asset(assets, s).liquidation_threshold for s in collateral}
    for symbol in debt:
        _asset(assets, symbol)
    debt_value = _value(debt, prices)
    if debt_value == 0:
        return math.inf
    return _value(collateral, prices, thresholds) / debt_value


@dataclass
class Position:
    """One borrower's balances, token amounts by symbol: what they supplied and what they owe."""

    collateral: dict[str, float] = field(default_factory=dict)
    debt: dict[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        _ensure_balances(self.collateral, "collateral")
        _ensure_balances(self.debt, "debt")

    def health_factor(self, prices: Mapping[str, float], assets: Mapping[str, Asset]) -> float:
        """This position's health factor (see ``health_factor``)."""
        return health_factor(self.collateral, self.debt, prices, assets)

    def borrow_capacity(self, prices: Mapping[str, float], assets: Mapping[str, Asset]) -> float:
        """How much more may be borrowed, in the base currency: sum(collateral*price*ltv) - debt."""
        ltvs = {s: _asset(assets, s).ltv for s in self.collateral}
        return max(0.0, _value(self.collateral, prices, ltvs) - _value(self.debt, prices))


def max_borrow(position: Position, symbol: str, prices: Mapping[str, float],
               assets: Mapping[str, Asset]) -> float:
    """The most of ``symbol`` the position can still borrow under its collateral's LTVs."""
    ensure_instance(position, "position", Position, error=UnsupportedPosition)
    ensure_text(symbol, "symbol", error=UnknownAsset)
    _asset(assets, symbol)
    return position.borrow_capacity(prices, assets) / _price(prices, symbol)


def close_factor(hf: float, *, default: float = DEFAULT_CLOSE_FACTOR,
                 maximum: float = MAX_CLOSE_FACTOR,
                 hf_threshold: float = CLOSE_FACTOR_HF_THRESHOLD) -> float:
    """Share of one debt a liquidator may repay: ``default`` while HF > ``hf_threshold``, else all.

    This is Aave V3's ``_calculateDebt``; ``hf_threshold=0`` gives Aave V2's flat 50%.
    """
    ensure((is_number(hf) and hf >= 0) or (isinstance(hf, float) and hf == math.inf),
           InvalidMarketParameter, "hf", hf, "a number >= 0 (inf with no debt)",
           "the health factor")
    _ensure_close_factor_rule(default, maximum, hf_threshold)
    return default if hf > hf_threshold else maximum


def _ensure_close_factor_rule(default: float, maximum: float, hf_threshold: float,
                              names: tuple[str, str, str] = ("default", "maximum",
                                                             "hf_threshold")) -> None:
    """0 < default <= maximum <= 1, and a health factor threshold in [0, 1]."""
    default = ensure_number(default, names[0], above=0, maximum=1,
                            meaning="share of a debt repayable above the threshold",
                            error=InvalidMarketParameter)
    ensure_number(maximum, names[1], minimum=default, maximum=1,
                  meaning="share of a debt repayable at or below the threshold",
                  error=InvalidMarketParameter)
    ensure_number(hf_threshold, names[2], minimum=0, maximum=1,
                  meaning="health factor below which all may be repaid",
                  error=InvalidMarketParameter)


@dataclass(frozen=True)
class Liquidation:
    """What one liquidation did: debt repaid, collateral seized (bonus included), HF around it."""

    debt_symbol: str
    collateral_symbol: str
    repaid: float
    seized: float
    bonus: float  # the part of ``seized`` that is the liquidator's reward, in collateral tokens
    close_factor: float
    health_factor_before: float
    health_factor_after: float


def liquidate(position: Position, debt_symbol: str, collateral_symbol: str, repay_amount: float,
              prices: Mapping[str, float], assets: Mapping[str, Asset], *,
              default_close_factor: float = DEFAULT_CLOSE_FACTOR,
              max_close_factor: float = MAX_CLOSE_FACTOR,
              close_factor_hf_threshold: float = CLOSE_FACTOR_HF_THRESHOLD) -> Liquidation:
    """Repay part of an unhealthy position's debt and seize collateral plus the bonus.

    Seized = repaid * debt_price / collateral_price * (1 + bonus). If the position holds less
    collateral than that, Aave seizes all of it and lowers the repayment to match. Unlike Aave,
    which silently caps ``debtToCover`` at the close factor, this refuses a larger repayment.

    Raises:
        InvalidAmount, UnknownAsset, NotInPosition, PositionHealthy, RepayAboveCloseFactor;
        the position is unchanged whenever one is raised.
    """
    # checks: nothing below changes the position until all of them pass
    ensure_instance(position, "position", Position, error=UnsupportedPosition)
    ensure_text(debt_symbol, "debt_symbol", error=UnknownAsset)
    ensure_text(collateral_symbol, "collateral_symbol", error=UnknownAsset)
    ensure_number(repay_amount, "repay_amount", above=0, maximum=MAX_AMOUNT,
                  meaning="tokens of the debt", error=InvalidAmount)
    _ensure_close_factor_rule(default_close_factor, max_close_factor, close_factor_hf_threshold,
                              ("default_close_factor", "max_close_factor",
                               "close_factor_hf_threshold"))
    debt_price, collateral_price = _price(prices, debt_symbol), _price(prices, collateral_symbol)
    bonus = _asset(assets, collateral_symbol).liquidation_bonus
    _asset(assets, debt_symbol)
    owed = position.debt.get(debt_symbol, 0.0)
    held = position.collateral.get(collateral_symbol, 0.0)
    if owed <= 0:
        raise NotInPosition(f"debt_symbol {debt_symbol!r}: the borrower owes none (Aave: "
                            f"SPECIFIED_CURRENCY_NOT_BORROWED_BY_USER)")
    if held <= 0:
        raise NotInPosition(f"collateral_symbol {collateral_symbol!r}: the borrower holds none "
                            f"(Aave: COLLATERAL_CANNOT_BE_LIQUIDATED)")
    hf_before = position.health_factor(prices, assets)
    if hf_before >= 1:
        raise PositionHealthy(f"health factor {hf_before:.4f} is not below 1 (Aave: "
                              f"HEALTH_FACTOR_NOT_BELOW_THRESHOLD); nothing was liquidated")
    factor = close_factor(hf_before, default=default_close_factor, maximum=max_close_factor,
                          hf_threshold=close_factor_hf_threshold)
    if repay_amount > factor * owed * (1 + _TOLERANCE):
        raise RepayAboveCloseFactor(
            f"repay_amount {repay_amount} {debt_symbol} exceeds the close factor: at health "
            f"factor {hf_before:.4f} at most {factor:.0%} of {owed} = {factor * owed} may be "
            f"repaid; nothing was liquidated")
    # amounts: Aave's _calculateAvailableCollateralToLiquidate
    repaid = min(repay_amount, factor * owed)
    seized = repaid * debt_price / collateral_price * (1 + bonus)
    if seized > held:
        seized = held
        repaid = held * collateral_price / debt_price / (1 + bonus)
    # state: the only writes
    position.debt[debt_symbol] = owed - repaid
    position.collateral[collateral_symbol] = held - seized
    for side in (position.debt, position.collateral):
        for symbol in [s for s, amount in side.items() if amount <= 0]:
            del side[symbol]
    return Liquidation(debt_symbol=debt_symbol, collateral_symbol=collateral_symbol,
                       repaid=repaid, seized=seized, bonus=seized - seized / (1 + bonus),
                       close_factor=factor,
                       health_factor_before=hf_before,
                       health_factor_after=position.health_factor(prices, assets))


def liquidation_price(position: Position, prices: Mapping[str, float],
                      assets: Mapping[str, Asset]) -> float:
    """The collateral price at which HF = 1, for one collateral and one debt asset.

    From amount * price * threshold = debt value: price = debt value / (amount * threshold).
    """
    ensure_instance(position, "position", Position, error=UnsupportedPosition)
    if len(position.collateral) != 1 or len(position.debt) != 1:
        raise UnsupportedPosition(
            f"liquidation_price needs exactly one collateral and one debt asset, got collateral "
            f"{sorted(position.collateral)} and debt {sorted(position.debt)}")
    (symbol, amount), = position.collateral.items()
    threshold = _asset(assets, symbol).liquidation_threshold
    if amount <= 0 or threshold <= 0:
        raise UnsupportedPosition(f"collateral {symbol!r} (amount {amount}, liquidation_threshold "
                                  f"{threshold}) counts for nothing: no price makes HF 1")
    for debt_symbol in position.debt:
        _asset(assets, debt_symbol)
    return _value(position.debt, prices) / (amount * threshold)


@dataclass(frozen=True)
class CascadeStep:
    """One step of a cascade: the path's price, the price after forced sales, and what was sold."""

    path_price: float
    price: float
    liquidated: int  # positions liquidated during this step
    collateral_sold: float


@dataclass(frozen=True)
class CascadeResult:
    """Every step of a cascade, how many positions were ever liquidated, and what is left."""

    steps: tuple[CascadeStep, ...]
    positions_liquidated: int  # distinct positions liquidated at least once
    positions: tuple[Position, ...]

    @property
    def total_collateral_sold(self) -> float:
        return sum(step.collateral_sold for step in self.steps)


def simulate_cascade(positions: Sequence[Position], prices: Mapping[str, float],
                     price_path: Sequence[float], assets: Mapping[str, Asset],
                     market_depth: float, *, collateral_symbol: str | None = None,
                     max_rounds: int = 100) -> CascadeResult:
    """Walk the collateral price along ``price_path``; liquidators dump what they seize.

    At each step the price is the path's price times the impact of all forced sales so far:
    selling q tokens moves the price by the factor exp(-q / market_depth), a drop of about
    q / market_depth for small sales. Each round liquidates every position with HF < 1 (the
    largest close-factor repayment of its largest debt), sells the seized collateral, lowers
    the price, and looks again, until nothing is liquidatable or ``max_rounds`` pass.
    Deterministic: no randomness. The input positions are copied, never changed.
    """
    ensure_instance(positions, "positions", Sequence, rule="a list of Position",
                    error=UnsupportedPosition)
    for index, position in enumerate(positions):
        ensure_instance(position, f"positions[{index}]", Position, error=UnsupportedPosition)
    ensure_numbers(price_path, "price_path", above=0, allow_empty=True,
                   meaning="collateral prices, one a step", error=InvalidAmount)
    ensure_number(market_depth, "market_depth", above=0,
                  meaning="tokens sold for a price drop of about 1/e", error=InvalidMarketParameter)
    ensure_int(max_rounds, "max_rounds", minimum=1, maximum=MAX_CASCADE_ROUNDS,
               meaning="liquidation rounds a step", error=InvalidMarketParameter)
    _ensure_prices(prices)
    if collateral_symbol is not None:
        ensure_text(collateral_symbol, "collateral_symbol", error=UnknownAsset)
    positions = [copy.deepcopy(p) for p in positions]
    if collateral_symbol is None:
        symbols = {s for p in positions for s in p.collateral}
        if len(symbols) != 1:
            raise UnsupportedPosition(f"positions hold collateral {sorted(symbols)}: pass "
                                      f"collateral_symbol= to say which price the path moves")
        (collateral_symbol,) = symbols
    market = dict(prices)  # the path replaces the collateral's price; other prices stay fixed
    impact, steps, ever_liquidated = 1.0, [], set()
    for path_price in price_path:
        liquidated: set[int] = set()
        sold = 0.0
        for _ in range(max_rounds):
            market[collateral_symbol] = path_price * impact
            sold_this_round = 0.0
            for index, position in enumerate(positions):
                if position.collateral.get(collateral_symbol, 0.0) <= 0:
                    continue  # nothing left to seize: whatever it still owes is bad debt
                hf = position.health_factor(market, assets)
                if hf >= 1:
                    continue
                debts = position.debt
                debt_symbol = max(debts, key=lambda symbol: debts[symbol] * market[symbol])
                result = liquidate(position, debt_symbol, collateral_symbol,
                                   close_factor(hf) * position.debt[debt_symbol], market, assets)
                sold_this_round += result.seized
                liquidated.add(index)
            if sold_this_round == 0:
                break
            sold += sold_this_round
            impact *= math.exp(-sold_this_round / market_depth)  # the forced sale moves the price
        steps.append(CascadeStep(path_price, path_price * impact, len(liquidated), sold))
        ever_liquidated |= liquidated
    return CascadeResult(tuple(steps), len(ever_liquidated), tuple(positions))
