"""The reverse auction: who may bid, who wins, and a clear error for a job nobody can take."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from course.compute.jobs import JobSpec
from course.compute.market import NoProviderError, collect_bids, match, why_not
from course.compute.providers import Provider

NAMES = ("ada", "bob", "cy", "dee", "eve", "fay", "gus", "hal")

providers_strategy = st.lists(
    st.builds(
        Provider,
        name=st.sampled_from(NAMES),
        price_per_mflop=st.floats(min_value=0.05, max_value=5.0),
        stake=st.integers(min_value=0, max_value=300),
        gpu=st.booleans(),
    ),
    min_size=0, max_size=8, unique_by=lambda provider: provider.name,
)
jobs_strategy = st.builds(
    JobSpec,
    workload=st.just("matmul"),
    params=st.fixed_dictionaries({"size": st.integers(min_value=4, max_value=128)}),
    max_price=st.integers(min_value=0, max_value=30),
    redundancy=st.integers(min_value=1, max_value=4),
    min_stake=st.integers(min_value=0, max_value=300),
    gpu=st.booleans(),
)
excluded_strategy = st.sets(st.sampled_from(NAMES), max_size=3)
reputation_strategy = st.none() | st.dictionaries(
    st.sampled_from(NAMES), st.floats(min_value=0.01, max_value=1.0))
stakes_strategy = st.none() | st.dictionaries(st.sampled_from(NAMES),
                                              st.integers(min_value=0, max_value=300))


def job(max_price=10, redundancy=1, min_stake=0, gpu=False, size=128):
    """A matmul of ``size`` (128: 4.19 MFLOPs, so a price of 1.0 per MFLOP bids 5 credits)."""
    return JobSpec("matmul", {"size": size}, max_price=max_price, redundancy=redundancy,
                   min_stake=min_stake, gpu=gpu)


# --- properties of every match ---------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(jobs_strategy, providers_strategy, excluded_strategy, stakes_strategy, reputation_strategy)
def test_a_match_never_breaks_a_rule_of_the_job(job, providers, excluded, stakes, reputation):
    try:
        bids = match(job, providers, exclude=excluded, stakes=stakes, reputation=reputation)
    except NoProviderError:
        return
    assert len(bids) == job.redundancy
    names = [bid.provider.name for bid in bids]
    assert len(set(names)) == len(names), "the same provider may not run a job twice"
    for bid in bids:
        stake = bid.provider.stake if stakes is None else stakes.get(bid.provider.name, 0)
        assert bid.price == bid.provider.bid(job)
        assert bid.price <= job.max_price
        assert stake >= job.min_stake
        assert bid.provider.gpu or not job.gpu
        assert bid.provider.name not in excluded


@settings(max_examples=300, deadline=None)
@given(jobs_strategy, providers_strategy, excluded_strategy)
def test_without_reputation_the_cheapest_eligible_bids_win(job, providers, excluded):
    try:
        winners = match(job, providers, exclude=excluded)
    except NoProviderError:
        eligible = [p for p in providers if p.name not in excluded and why_not(job, p) is None]
        assert len(eligible) < job.redundancy
        return
    winning = {bid.provider.name for bid in winners}
    dearest_winner = max((bid.price, bid.provider.name) for bid in winners)
    for provider in providers:
        if provider.name not in winning | excluded and why_not(job, provider) is None:
            assert (provider.bid(job), provider.name) > dearest_winner


@settings(max_examples=200, deadline=None)
@given(jobs_strategy, providers_strategy)
def test_collect_bids_is_sorted_by_price_then_name_and_counts_every_eligible_provider(
        job, providers):
    bids = collect_bids(job, providers)
    keys = [(bid.price, bid.provider.name) for bid in bids]
    assert keys == sorted(keys)
    assert len(bids) == sum(why_not(job, p) is None for p in providers)


@settings(max_examples=200, deadline=None)
@given(jobs_strategy, providers_strategy, st.integers(min_value=1, max_value=4))
def test_count_overrides_the_redundancy(job, providers, count):
    try:
        bids = match(job, providers, count=count)
    except NoProviderError:
        return
    assert len(bids) == count


# --- the eligibility rules, at their boundaries ----------------------------------------------


def test_a_bid_exactly_at_max_price_and_a_stake_exactly_at_min_stake_may_bid():
    provider = Provider("ada", price_per_mflop=1.0, stake=100)  # bids ceil(4.19) = 5
    assert why_not(job(max_price=5, min_stake=100), provider) is None
    assert why_not(job(max_price=4), provider) == "bid 5 > max_price 4"
    assert why_not(job(min_stake=101), provider) == "stake 100 < min_stake 101"


def test_a_gpu_job_needs_a_gpu_provider_and_a_cpu_job_takes_either():
    cpu, gpu = Provider("cpu-box", 1.0), Provider("gpu-box", 1.0, gpu=True)
    assert why_not(job(gpu=True), cpu) == "the job needs a GPU"
    assert why_not(job(gpu=True), gpu) is None
    assert why_not(job(), cpu) is None and why_not(job(), gpu) is None


def test_the_stake_passed_in_replaces_the_stake_the_provider_was_created_with():
    provider = Provider("ada", 1.0, stake=100)
    assert why_not(job(min_stake=80), provider, stake=50) == "stake 50 < min_stake 80"
    slashed = {"ada": 50}
    with pytest.raises(NoProviderError, match="stake 50 < min_stake 80"):
        match(job(min_stake=80), [provider], stakes=slashed)


def test_a_provider_missing_from_stakes_counts_as_having_no_stake():
    with pytest.raises(NoProviderError, match="ada: stake 0 < min_stake 1"):
        match(job(min_stake=1), [Provider("ada", 1.0)], stakes={})


def test_every_bid_is_at_least_one_whole_credit():
    tiny = JobSpec("matmul", {"size": 2}, max_price=1)  # 16 FLOPs
    assert Provider("ada", 0.01).bid(tiny) == 1
    assert match(tiny, [Provider("ada", 0.01)])[0].price == 1


def test_equal_bids_are_ordered_by_name_not_by_arrival():
    providers = [Provider("eve", 1.0), Provider("cy", 1.0), Provider("dee", 1.0)]
    assert [bid.provider.name for bid in match(job(redundancy=3), providers)] == [
        "cy", "dee", "eve"]


# --- a clear error for a job nobody can take -------------------------------------------------


def test_no_provider_error_names_each_provider_and_its_reason():
    providers = [Provider("pricey", 3.0, gpu=True), Provider("broke", 1.0, stake=10, gpu=True),
                 Provider("cpu-only", 1.0), Provider("cheater", 0.5, gpu=True)]
    the_job = JobSpec("matmul", {"size": 128}, max_price=10, min_stake=50, gpu=True,
                      name="render")
    with pytest.raises(NoProviderError) as caught:
        match(the_job, providers, exclude={"cheater"})
    message = str(caught.value)
    assert "job 'render' needs 1 provider(s) but only 0 may take it" in message
    assert "pricey: bid 13 > max_price 10" in message
    assert "broke: stake 10 < min_stake 50" in message
    assert "cpu-only: the job needs a GPU" in message
    assert "cheater: excluded" in message


def test_no_provider_error_says_how_many_may_take_a_job_that_needs_more():
    providers = [Provider("ada", 1.0), Provider("bob", 9.0)]
    with pytest.raises(NoProviderError, match=r"needs 3 provider\(s\) but only 1 may take it "
                                              r"\(bob: bid 38 > max_price 10\)"):
        match(job(redundancy=3), providers)


def test_no_provider_error_with_no_providers_at_all_says_so():
    with pytest.raises(NoProviderError, match="no providers"):
        match(job(), [])


# --- reputation-weighted matching ------------------------------------------------------------


def test_with_reputation_a_cheap_unreliable_provider_loses_to_a_dearer_reliable_one():
    providers = [Provider("cheap", 1.0), Provider("steady", 1.2)]  # bids 5 and 6
    assert match(job(), providers)[0].provider.name == "cheap"
    scores = {"cheap": 0.3, "steady": 0.9}  # 5 / 0.3 = 16.7 > 6 / 0.9 = 6.7
    assert match(job(), providers, reputation=scores)[0].provider.name == "steady"


def test_with_reputation_each_winner_is_still_paid_its_own_bid():
    providers = [Provider("cheap", 1.0), Provider("steady", 1.2)]
    (bid,) = match(job(), providers, reputation={"cheap": 0.3, "steady": 0.9})
    assert bid.price == 6


def test_a_stranger_competes_with_a_reputation_of_one_half():
    providers = [Provider("known", 1.2), Provider("stranger", 1.0)]  # bids 6 and 5
    # known: 6 / 0.55 = 10.9; stranger: 5 / 0.5 = 10: the stranger wins
    assert match(job(), providers, reputation={"known": 0.55})[0].provider.name == "stranger"
    # known: 6 / 0.65 = 9.2: now the record beats the lower price
    assert match(job(), providers, reputation={"known": 0.65})[0].provider.name == "known"


# --- asks: a strategy's price in place of provider.bid(job) -----------------------------------


def test_an_ask_replaces_the_providers_bid_and_is_paid_as_asked():
    providers = [Provider("ada", 1.0), Provider("bob", 1.2)]  # bids 5 and 6
    (bid,) = match(job(), providers, asks={"bob": 4})
    assert (bid.provider.name, bid.price) == ("bob", 4)
    assert [(b.provider.name, b.price) for b in collect_bids(job(), providers, asks={"bob": 4})
            ] == [("bob", 4), ("ada", 5)]


def test_an_ask_above_max_price_is_refused_with_the_asked_price_as_the_reason():
    providers = [Provider("ada", 1.0)]  # would bid 5
    with pytest.raises(NoProviderError, match=r"ada: bid 11 > max_price 10"):
        match(job(), providers, asks={"ada": 11})
    assert why_not(job(), providers[0], price=11) == "bid 11 > max_price 10"
    assert why_not(job(), providers[0], price=10) is None


def test_an_ask_does_not_get_around_the_stake_the_gpu_or_an_exclusion():
    poor, cpu = Provider("poor", 1.0, stake=10), Provider("cpu", 1.0)
    asks = {"poor": 1, "cpu": 1}
    assert collect_bids(job(min_stake=50), [poor], asks=asks) == []
    assert collect_bids(job(gpu=True), [cpu], asks=asks) == []
    assert collect_bids(job(), [cpu], exclude={"cpu"}, asks=asks) == []


@pytest.mark.parametrize("asks", [{"ada": 0}, {"ada": -3}, {"ada": 2.5}, {"ada": True},
                                  {"ada": "5"}, {1: 5}, [("ada", 5)]])
def test_an_ask_that_is_not_whole_credits_of_at_least_one_is_refused(asks):
    with pytest.raises(NoProviderError, match="asks must be a mapping of provider name"):
        match(job(), [Provider("ada", 1.0)], asks=asks)


@settings(max_examples=200, deadline=None)
@given(jobs_strategy, providers_strategy,
       st.dictionaries(st.sampled_from(NAMES), st.integers(min_value=1, max_value=40)))
def test_with_asks_every_winner_asked_within_max_price_and_no_one_cheaper_lost(job, providers,
                                                                              asks):
    try:
        bids = match(job, providers, asks=asks)
    except NoProviderError:
        return
    price = {p.name: asks.get(p.name, p.bid(job)) for p in providers}
    for bid in bids:
        assert bid.price == price[bid.provider.name] <= job.max_price
    winners = {bid.provider.name for bid in bids}
    dearest = max(bid.price for bid in bids)
    for provider in providers:
        if provider.name not in winners and why_not(job, provider, price=price[provider.name]) \
                is None:
            assert price[provider.name] >= dearest
