"""Matching jobs to providers with a reverse auction, as Akash does.

The requester names a maximum price; every provider that may take the job bids; the
cheapest bids win (one winner per unit of redundancy) and each winner is paid its own bid.
A provider may take a job only when its bid is within ``max_price``, its bonded stake
covers ``min_stake``, it has a GPU if the job needs one, and it is not excluded (it already
ran this job, or it was caught cheating).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass

from course.compute.jobs import JobSpec
from course.compute.providers import Provider


class NoProviderError(Exception):
    """Not enough providers may take a job; the message gives each provider's reason."""


@dataclass(frozen=True)
class Bid:
    """A provider's offer to run one job once, in credits."""

    provider: Provider
    price: int


def why_not(job: JobSpec, provider: Provider, stake: int | None = None) -> str | None:
    """The rule that keeps ``provider`` from taking ``job``, or None if it may bid."""
    stake = provider.stake if stake is None else stake
    if provider.bid(job) > job.max_price:
        return f"bid {provider.bid(job)} > max_price {job.max_price}"
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
) -> list[Bid]:
    """The bids of every provider allowed to take ``job``, cheapest first.

    ``stakes`` gives each provider's stake as it is now (after any slashing); by default
    the stake it was created with.
    """
    bids = []
    for provider in providers:
        stake = None if stakes is None else stakes.get(provider.name, 0)
        if provider.name not in exclude and why_not(job, provider, stake) is None:
            bids.append(Bid(provider, provider.bid(job)))
    return sorted(bids, key=lambda bid: (bid.price, bid.provider.name))


def match(
    job: JobSpec,
    providers: Iterable[Provider],
    exclude: Collection[str] = (),
    stakes: Mapping[str, int] | None = None,
    reputation: Mapping[str, float] | None = None,
    count: int | None = None,
) -> list[Bid]:
    """Pick the winning bids for ``job``: ``count`` (default: its redundancy) distinct providers.

    Without ``reputation`` the cheapest bids win. With it (scores in (0, 1]), bids compete
    on price divided by reputation: a cheap provider with a poor record loses to a slightly
    dearer one that delivers. Raises ``NoProviderError`` when too few providers may bid.
    """
    providers = list(providers)
    count = job.redundancy if count is None else count
    bids = collect_bids(job, providers, exclude, stakes)
    if reputation is not None:
        bids.sort(key=lambda bid: (bid.price / max(reputation.get(bid.provider.name, 0.5),
                                                   1e-9), bid.provider.name))
    if len(bids) < count:
        reasons = []
        for provider in providers:
            stake = None if stakes is None else stakes.get(provider.name, 0)
            reason = "excluded" if provider.name in exclude else why_not(job, provider, stake)
            if reason:
                reasons.append(f"{provider.name}: {reason}")
        label = job.name or job.workload
        raise NoProviderError(
            f"job {label!r} needs {count} provider(s) but only {len(bids)} may take it "
            f"({'; '.join(reasons) or 'no providers'})"
        )
    return bids[:count]
