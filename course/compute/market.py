"""Matching jobs to providers with a reverse auction, as Akash does.

The requester names a maximum price; every provider that may take the job bids; the
cheapest bids win (one winner per unit of redundancy) and each winner is paid its own bid.
A provider may take a job only when its bid is within ``max_price``, its bonded stake
covers ``min_stake``, it has a GPU if the job needs one, and it is not excluded (it already
ran this job, or it was caught cheating).

A bid is ``provider.bid(job)`` (its price per MFLOP times the job's MFLOPs) unless ``asks``
names another price for it: what a bidding strategy chose for this job
(``course.compute.strategies``). The rules are the same for both.

Taught in notebook 13.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from course.compute.errors import NoProviderError
from course.compute.jobs import MAX_REDUNDANCY, JobSpec
from course.compute.providers import Provider
from course.validation import ensure, ensure_instance, ensure_int, fail, is_integer, is_number

__all__ = ["Bid", "NoProviderError", "collect_bids", "match", "why_not"]


def _check_job(job: Any) -> JobSpec:
    return ensure_instance(job, "job", JobSpec, error=NoProviderError)


def _check_providers(providers: Any) -> list[Provider]:
    """A list of Provider objects, from any iterable of them (a list, a tuple, dict values)."""
    rule = "an iterable of Provider objects"
    if isinstance(providers, str | bytes | Mapping) or not isinstance(providers, Iterable):
        fail(NoProviderError, "providers", providers, rule)
    checked: list[Provider] = list(providers)
    ensure(all(isinstance(p, Provider) for p in checked), NoProviderError, "providers",
           checked, rule)
    return checked


def _check_names(names: Any, name: str) -> Collection[str]:
    """A collection of provider names (a str is refused: ``"ada" in "adam"`` is True)."""
    ok = (isinstance(names, Collection) and not isinstance(names, str | bytes)
          and all(isinstance(item, str) for item in names))
    ensure(ok, NoProviderError, name, names, "a collection of provider names, e.g. {'ada'}")
    checked: Collection[str] = names
    return checked


def _check_scores(scores: Any, name: str, rule: str,
                  in_range: Callable[[Any], bool]) -> Mapping[str, Any]:
    """A mapping of provider name -> number, every number passing ``in_range``."""
    ok = isinstance(scores, Mapping) and all(
        isinstance(key, str) and in_range(value) for key, value in scores.items())
    ensure(ok, NoProviderError, name, scores, rule)
    checked: Mapping[str, Any] = scores
    return checked


def _check_asks(asks: Any) -> Mapping[str, int]:
    """A mapping of provider name -> the whole credits it asks, at least 1 (like any bid)."""
    return _check_scores(asks, "asks", "a mapping of provider name -> whole credits >= 1",
                         lambda value: is_integer(value) and value >= 1)


@dataclass(frozen=True)
class Bid:
    """A provider's offer to run one job once, in credits."""

    provider: Provider
    price: int


def why_not(job: JobSpec, provider: Provider, stake: int | None = None,
            price: int | None = None) -> str | None:
    """The rule that keeps ``provider`` from taking ``job``, or None if it may bid.

    ``price`` is what it asks (default: ``provider.bid(job)``).
    """
    job = _check_job(job)
    ensure_instance(provider, "provider", Provider, error=NoProviderError)
    stake = provider.stake if stake is None else ensure_int(stake, "stake", minimum=0,
                                                            error=NoProviderError)
    price = provider.bid(job) if price is None else ensure_int(
        price, "price", minimum=1, meaning="whole credits", error=NoProviderError)
    if price > job.max_price:
        return f"bid {price} > max_price {job.max_price}"
    if stake < job.min_stake:
        return f"stake {stake} < min_stake {job.min_stake}"
    if job.gpu and not provider.gpu:
        return "the job needs a GPU"
    return None


def collect_bids(
    job: JobSpec,
    providers: Iterable[Provider],
    exclude: Collection[str] = (),
    stakes: Mapping[str, int] | None = None,
    asks: Mapping[str, int] | None = None,
) -> list[Bid]:
    """The bids of every provider allowed to take ``job``, cheapest first.

    ``stakes`` gives each provider's stake as it is now (after any slashing); by default
    the stake it was created with. ``asks`` gives the price a provider's strategy chose for
    this job, in place of ``provider.bid(job)`` (providers it does not name bid as usual).
    """
    job, providers = _check_job(job), _check_providers(providers)
    exclude = _check_names(exclude, "exclude")
    if stakes is not None:
        stakes = _check_scores(stakes, "stakes", "a mapping of provider name -> credits >= 0",
                               lambda value: is_integer(value) and value >= 0)
    asks = {} if asks is None else _check_asks(asks)
    bids = []
    for provider in providers:
        stake = None if stakes is None else stakes.get(provider.name, 0)
        price = int(asks.get(provider.name, provider.bid(job)))
        if provider.name not in exclude and why_not(job, provider, stake, price) is None:
            bids.append(Bid(provider, price))
    return sorted(bids, key=lambda bid: (bid.price, bid.provider.name))


def match(
    job: JobSpec,
    providers: Iterable[Provider],
    exclude: Collection[str] = (),
    stakes: Mapping[str, int] | None = None,
    reputation: Mapping[str, float] | None = None,
    count: int | None = None,
    asks: Mapping[str, int] | None = None,
) -> list[Bid]:
    """Pick the winning bids for ``job``: ``count`` (default: its redundancy) distinct providers.

    Without ``reputation`` the cheapest bids win. With it (scores in (0, 1]), bids compete
    on price divided by reputation: a cheap provider with a poor record loses to a slightly
    dearer one that delivers. ``asks`` replaces some providers' bids with the prices their
    strategies chose (see ``collect_bids``). Raises ``NoProviderError`` when too few
    providers may bid.
    """
    job, providers = _check_job(job), _check_providers(providers)
    count = job.redundancy if count is None else ensure_int(
        count, "count", minimum=1, maximum=MAX_REDUNDANCY, meaning="winners",
        error=NoProviderError)
    if reputation is not None:
        reputation = _check_scores(reputation, "reputation",
                                   "a mapping of provider name -> score in (0, 1]",
                                   lambda value: is_number(value) and 0 < value <= 1)
    asks = {} if asks is None else _check_asks(asks)
    bids = collect_bids(job, providers, exclude, stakes, asks)
    if reputation is not None:
        bids.sort(key=lambda bid: (bid.price / max(reputation.get(bid.provider.name, 0.5),
                                                   1e-9), bid.provider.name))
    if len(bids) < count:
        reasons = []
        for provider in providers:
            stake = None if stakes is None else stakes.get(provider.name, 0)
            price = int(asks.get(provider.name, provider.bid(job)))
            reason = ("excluded" if provider.name in exclude
                      else why_not(job, provider, stake, price))
            if reason:
                reasons.append(f"{provider.name}: {reason}")
        label = job.name or job.workload
        raise NoProviderError(
            f"job {label!r} needs {count} provider(s) but only {len(bids)} may take it "
            f"({'; '.join(reasons) or 'no providers'})"
        )
    return bids[:count]
