"""Bidding strategies: how a provider prices its work in the reverse auction.

A provider's strategy is a function ``strategy(job, view) -> int | None``: given the job and
what the provider can see (``MarketView``: its own cost of one run, its stake, its reputation,
and every past sale on the market), it returns its bid in whole credits, or None to skip the
job. ``StrategyMarket`` runs auctions one job at a time with ``market.match`` (the same rules:
within ``max_price``, enough stake, reputation if asked), pays each winner its own bid and
counts each bidder's profit: what it was paid minus what its runs cost.

Costs come from hardware and electricity: one run takes ``flops / speed`` seconds, draws
``watts`` meanwhile, and each joule costs ``energy_price`` credits. (The machines of this toy
market do about 1 GFLOP/s, so a joule is priced like a few minutes of a real GPU's power.)

Taught in notebook 13 (Try it 8).
"""

from __future__ import annotations

import copy
import math
import random
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from course.compute.errors import NoProviderError, ProviderError
from course.compute.jobs import JobSpec
from course.compute.market import match
from course.compute.providers import Provider
from course.compute.reputation import Reputation
from course.validation import (
    ensure,
    ensure_bool,
    ensure_instance,
    ensure_int,
    ensure_number,
    ensure_text,
    is_integer,
)


@dataclass(frozen=True)
class Sale:
    """One past auction as the market publishes it: the job's size, its terms, the winning bids.

    ``prices`` are the winning bids, cheapest first (one per unit of redundancy); empty when
    nobody took the job.
    """

    mflops: float
    redundancy: int
    max_price: int
    prices: tuple[int, ...]

    @property
    def price_per_mflop(self) -> float | None:
        """The dearest winning bid per MFLOP: the rate a bid had to beat. None if unsold."""
        return max(self.prices) / self.mflops if self.prices else None


@dataclass(frozen=True)
class MarketView:
    """What a provider knows when it bids for a job.

    ``cost``: credits one run of this job costs it (electricity); ``stake``: credits it has
    bonded; ``reputation``: its score (0.5 for a newcomer); ``sales``: every past auction on
    this market, oldest first.
    """

    cost: int
    stake: int
    reputation: float
    sales: tuple[Sale, ...]

    def copy(self) -> MarketView:
        """A view with its own Sale objects: changing it (even by ``object.__setattr__``) changes
        nothing another bidder, the market or a check sees."""
        return replace(self, sales=tuple(replace(sale) for sale in self.sales))


Strategy = Callable[[JobSpec, MarketView], "int | None"]


@dataclass(frozen=True)
class Bidder:
    """A provider with hardware, an electricity bill and a strategy."""

    name: str
    strategy: Strategy
    throughput_gflops: float = 1.0
    watts: float = 300.0
    energy_price: float = 1.0  # credits per joule
    stake: int = 100

    def __post_init__(self) -> None:
        name = ensure_text(self.name, "name", error=ProviderError)
        ensure(
            callable(self.strategy),
            ProviderError,
            f"strategy of {name}",
            self.strategy,
            "a function strategy(job, view) -> bid or None",
        )
        for field_name in ("throughput_gflops", "watts", "energy_price"):
            ensure_number(
                getattr(self, field_name), f"{field_name} of {name}", above=0, error=ProviderError
            )
        ensure_int(self.stake, f"stake of {name}", minimum=0, error=ProviderError)

    def cost(self, job: JobSpec) -> int:
        """Credits one run of ``job`` costs here: seconds × watts × energy_price, rounded up."""
        ensure_instance(job, "job", JobSpec, error=ProviderError)
        joules = job.flops / (self.throughput_gflops * 1e9) * self.watts
        return max(1, math.ceil(joules * self.energy_price - 1e-9))

    def provider(self) -> Provider:
        return Provider(self.name, stake=self.stake, throughput_gflops=self.throughput_gflops)


@dataclass(frozen=True)
class Round:
    """One auction: what each bidder's run would cost, what it asked, who won at what price."""

    number: int
    job: JobSpec
    costs: dict[str, int]
    asks: dict[str, int | None]
    winners: dict[str, int]  # name -> price paid
    reason: str = ""  # why nobody took the job, if nobody did


@dataclass
class StrategyMarket:
    """Auctions one job at a time among bidders that each follow their own strategy."""

    bidders: Sequence[Bidder]
    use_reputation: bool = False
    rounds: list[Round] = field(default_factory=list)
    sales: list[Sale] = field(default_factory=list)
    reputation: Reputation = field(default_factory=Reputation)
    income: Counter[str] = field(default_factory=Counter)
    spent: Counter[str] = field(default_factory=Counter)

    def __post_init__(self) -> None:
        ensure(
            isinstance(self.bidders, Sequence)
            and len(self.bidders) > 0
            and all(isinstance(b, Bidder) for b in self.bidders),
            ProviderError,
            "bidders",
            self.bidders,
            "a non-empty list of Bidder objects",
        )
        names = [bidder.name for bidder in self.bidders]
        ensure(
            len(set(names)) == len(names),
            ProviderError,
            "bidders",
            names,
            "bidders with unique names",
        )
        ensure_bool(self.use_reputation, "use_reputation", error=ProviderError)

    def view(self, bidder: Bidder, job: JobSpec) -> MarketView:
        """What ``bidder`` sees; the sales are copies, so no strategy can rewrite the record."""
        sales = tuple(replace(sale) for sale in self.sales)
        return MarketView(bidder.cost(job), bidder.stake, self.reputation.score(bidder.name), sales)

    def auction(self, job: JobSpec) -> Round:
        """Ask every bidder, match the job, pay the winners their bids and publish the sale.

        A bid must be whole credits, at least 1, or None (skip): anything else raises
        ``ProviderError`` naming the bidder. A strategy may raise; its exception goes on, and
        nothing is recorded. Each strategy gets its own copy of the job and of the sales: one
        that changes them (``object.__setattr__`` gets past ``frozen``) cannot change the terms,
        the costs or the history the market and the other bidders use.
        """
        ensure_instance(job, "job", JobSpec, error=ProviderError)
        costs = {b.name: b.cost(job) for b in self.bidders}
        asks = {
            b.name: _checked_ask(b, job, b.strategy(copy.copy(job), self.view(b, job)))
            for b in self.bidders
        }
        skipped = {name for name, ask in asks.items() if ask is None}
        scores = (
            self.reputation.scores([b.name for b in self.bidders]) if self.use_reputation else None
        )
        try:
            bids = match(
                job,
                [b.provider() for b in self.bidders],
                exclude=skipped,
                reputation=scores,
                asks={n: a for n, a in asks.items() if a is not None},
            )
        except NoProviderError as error:
            bids, reason = [], str(error)
        else:
            reason = ""
        winners = {bid.provider.name: bid.price for bid in bids}
        for name, price in winners.items():
            self.income[name] += price
            self.spent[name] += costs[name]
            self.reputation.record(name, "verified")
        self.sales.append(
            Sale(job.flops / 1e6, job.redundancy, job.max_price, tuple(sorted(winners.values())))
        )
        done = Round(len(self.rounds), job, costs, asks, winners, reason)
        self.rounds.append(done)
        return done

    def profit(self, name: str) -> int:
        """What ``name`` was paid minus what its runs cost, in credits."""
        return self.income[name] - self.spent[name]


def _checked_ask(bidder: Bidder, job: JobSpec, ask: Any) -> int | None:
    """The bid as an int, None for a skipped job; anything else is refused, naming the bidder."""
    if ask is None:
        return None
    value = int(ask) if is_integer(ask) else 0  # a plain int: a subclass cannot fake ``>=``
    ensure(
        value >= 1,
        ProviderError,
        f"the bid of {bidder.name} for {job.name or job.workload!r}",
        ask,
        "whole credits >= 1, or None to skip the job",
    )
    return value


def run_market(
    bidders: Sequence[Bidder],
    jobs: Sequence[JobSpec],
    use_reputation: bool = False,
    reputation: Reputation | None = None,
) -> StrategyMarket:
    """Auction ``jobs`` in order among ``bidders``; the market keeps every round.

    ``reputation`` is the record the bidders bring (default: all newcomers); it is copied.
    """
    record = (
        Reputation()
        if reputation is None
        else ensure_instance(reputation, "reputation", Reputation, error=ProviderError)
    )
    market = StrategyMarket(
        bidders, use_reputation, reputation=Reputation(dict(record.good), dict(record.bad))
    )
    for job in jobs:
        market.auction(job)
    return market


# --- simple strategies: the baselines and the rivals -----------------------------------------


def at_cost(job: JobSpec, view: MarketView) -> int | None:
    """Bid exactly what the run costs: wins often, earns nothing."""
    return view.cost if view.cost <= job.max_price else None


def at_max_price(job: JobSpec, view: MarketView) -> int | None:
    """Bid the requester's ceiling: earns the most per win, wins only when nobody else bids."""
    return job.max_price if view.cost <= job.max_price else None


def fixed_markup(markup: float) -> Strategy:
    """A rival that asks its cost plus ``markup`` (0.3: 30%), whatever the market does."""
    ensure_number(markup, "markup", minimum=0, error=ProviderError)

    def strategy(job: JobSpec, view: MarketView) -> int | None:
        ask = math.ceil(view.cost * (1 + markup))
        return ask if ask <= job.max_price else None

    strategy.__name__ = f"fixed_markup({markup})"
    return strategy


def undercutter(opening_markup: float = 0.5) -> Strategy:
    """A rival that bids one credit under the last sale's rate, down to its own cost."""
    ensure_number(opening_markup, "opening_markup", minimum=0, error=ProviderError)

    def strategy(job: JobSpec, view: MarketView) -> int | None:
        rates = [rate for rate in (sale.price_per_mflop for sale in view.sales) if rate]
        if rates:
            ask = max(view.cost, math.floor(rates[-1] * job.flops / 1e6) - 1)
        else:
            ask = math.ceil(view.cost * (1 + opening_markup))
        return min(ask, job.max_price) if view.cost <= job.max_price else None

    strategy.__name__ = f"undercutter({opening_markup})"
    return strategy


# --- seeded markets to try a strategy on -----------------------------------------------------

YOU = "you"  # the name of the provider whose strategy is being tried
JOB_SIZES = (128, 160, 192, 256, 320)  # matmuls of 4.2 to 65.5 MFLOPs


@dataclass(frozen=True)
class Rival:
    """A competitor: its strategy, its electricity cost per MFLOP, its stake."""

    name: str
    strategy: Strategy
    cost_per_mflop: float
    stake: int = 100


@dataclass(frozen=True)
class Scenario:
    """A seeded market: your hardware, your rivals, a mix of jobs, maybe a reputation record.

    ``records`` gives a bidder's past (verified runs, failed runs) before the first job.
    """

    name: str
    cost_per_mflop: float  # yours
    rivals: tuple[Rival, ...]
    seed: str
    jobs_count: int = 30
    min_stakes: tuple[int, ...] = (0,)
    stake: int = 100  # yours
    use_reputation: bool = False
    records: tuple[tuple[str, int, int], ...] = ()

    def jobs(self) -> list[JobSpec]:
        """The job mix, the same on every run: sizes, ceilings, redundancy 1-3, stakes."""
        dice = random.Random(self.seed)
        jobs = []
        for number in range(self.jobs_count):
            size = dice.choice(JOB_SIZES)
            mflops = 2 * size**3 / 1e6
            jobs.append(
                JobSpec(
                    "matmul",
                    {"size": size, "seed": number},
                    max_price=round(mflops * dice.uniform(1.3, 2.2)),
                    redundancy=dice.choice((1, 1, 2, 3)),
                    min_stake=dice.choice(self.min_stakes),
                    name=f"job {number}",
                )
            )
        return jobs

    def bidders(self, strategy: Strategy) -> list[Bidder]:
        """You (with ``strategy``) first, then the rivals."""
        return [_bidder(YOU, strategy, self.cost_per_mflop, self.stake)] + [
            _bidder(r.name, r.strategy, r.cost_per_mflop, r.stake) for r in self.rivals
        ]

    def run(self, strategy: Strategy) -> StrategyMarket:
        """Auction every job of the scenario, with you bidding by ``strategy``."""
        record = Reputation(
            {name: good for name, good, _ in self.records},
            {name: bad for name, _, bad in self.records},
        )
        return run_market(self.bidders(strategy), self.jobs(), self.use_reputation, record)


def _bidder(name: str, strategy: Strategy, cost_per_mflop: float, stake: int) -> Bidder:
    """A 1 GFLOP/s, 250 W machine whose electricity makes one MFLOP cost ``cost_per_mflop``."""
    joules_per_mflop = 250.0 / 1_000
    return Bidder(
        name,
        strategy,
        throughput_gflops=1.0,
        watts=250.0,
        energy_price=cost_per_mflop / joules_per_mflop,
        stake=stake,
    )


SCENARIOS = (
    Scenario(
        "steady rivals",
        1.00,
        (
            Rival("ada", fixed_markup(0.2), 1.05),
            Rival("bob", fixed_markup(0.5), 0.95),
            Rival("cy", fixed_markup(0.3), 1.30),
        ),
        seed="steady",
    ),
    Scenario(
        "an undercutter",
        1.00,
        (
            Rival("ada", fixed_markup(0.25), 1.10),
            Rival("cy", undercutter(), 1.20),
            Rival("dee", fixed_markup(0.1), 1.50),
        ),
        seed="undercut",
    ),
    Scenario(
        "price war",
        0.85,
        (
            Rival("cy", undercutter(), 1.00),
            Rival("eve", undercutter(0.3), 1.10),
            Rival("fay", fixed_markup(0.2), 1.15),
        ),
        seed="war",
    ),
    Scenario(
        "scarce stake",
        1.10,
        (
            Rival("ada", fixed_markup(0.2), 1.00, stake=50),
            Rival("gus", fixed_markup(0.4), 1.05, stake=200),
            Rival("hal", undercutter(), 1.25, stake=50),
        ),
        seed="scarce",
        min_stakes=(0, 150, 150),
        stake=200,
    ),
    Scenario(
        "your good name",
        1.05,
        (
            Rival("ada", fixed_markup(0.2), 1.00),
            Rival("bob", undercutter(0.4), 1.10),
            Rival("cy", fixed_markup(0.1), 1.20),
        ),
        seed="reputation",
        use_reputation=True,
        records=((YOU, 40, 2), ("cy", 3, 4)),
    ),
)
