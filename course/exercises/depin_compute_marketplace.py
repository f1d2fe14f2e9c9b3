"""Checks for notebook 13 (a DePIN compute marketplace): the reverse-auction winners, a quorum
vote on result summaries, the number of spot-checked jobs that catches a cheater, a cheater that
fools the summary, its odds against challenged rows, and a reputation score. Each runs the
learner's function on many inputs and compares it with course.compute (market.match,
verification.quorum, verification.jobs_to_catch, commitments.summarize and
survival_probability, Reputation). The build task, a provider's bidding strategy run on seeded
markets, lives in course.exercises.provider_strategy and is re-exported here."""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Mapping, Sequence

import numpy as np
import torch

from course.compute import verification
from course.compute.commitments import (
    matmul_inputs,
    old_summary_result,
    summarize,
    survival_probability,
)
from course.compute.jobs import JobSpec
from course.compute.market import NoProviderError, match, why_not
from course.compute.providers import Provider
from course.compute.reputation import Reputation
from course.compute.verification import (
    ABSOLUTE_TOLERANCE,
    RELATIVE_TOLERANCE,
    jobs_to_catch,
    quorum,
    results_agree,
)
from course.compute.workloads import SUMMARY_SIZE, WorkResult
from course.exercises import (
    CheckFailed,
    Exercise,
    close_enough,
    expect_function,
    expect_number,
    expect_type,
)
from course.exercises.provider_strategy import (  # noqa: F401 (Try it 8, re-exported)
    check_provider_strategy,
)


def _names(got: object, what: str) -> list[str]:
    """The learner's answer as a list of provider names (a list, tuple or set of strings)."""
    expect_type(got, (list, tuple, set), what)
    assert isinstance(got, list | tuple | set)  # for mypy: expect_type just checked it
    for item in got:
        if not isinstance(item, str):
            raise CheckFailed(f"{what} should hold provider NAMES (strings), got "
                              f"{type(item).__name__} {item!r}. Use provider.name.")
    return list(got)


# --- the reverse auction -------------------------------------------------------------------------

NAMES = ("ada", "bob", "cy", "dee", "eve", "fay", "gus", "hal")


def _random_market(dice: random.Random) -> tuple[JobSpec, list[Provider]]:
    """A seeded job and 3-7 providers in a shuffled order, with many equal bids (ties)."""
    names = dice.sample(NAMES, dice.randint(3, 7))
    providers = [Provider(name, price_per_mflop=dice.choice([0.5, 1.0, 1.5, 2.0, 3.0]),
                          stake=dice.choice([0, 50, 100, 200]), gpu=dice.random() < 0.5)
                 for name in names]
    job = JobSpec("matmul", {"size": dice.choice([16, 32, 64, 100, 128])},
                  max_price=dice.randint(1, 15), redundancy=dice.randint(1, 3),
                  min_stake=dice.choice([0, 0, 50, 100, 150]), gpu=dice.random() < 0.3)
    return job, providers


def _hand_made_markets() -> list[tuple[JobSpec, list[Provider]]]:
    job = JobSpec("matmul", {"size": 128}, max_price=6, redundancy=2, min_stake=100)  # 4.2 MFLOPs
    exact = [Provider("bob", 1.2, stake=100), Provider("ada", 1.0, stake=100),  # bids 6 and 5
             Provider("cy", 0.5, stake=99), Provider("dee", 1.5, stake=500)]  # low stake, bid 7
    tie = [Provider("eve", 1.0), Provider("dee", 1.0), Provider("cy", 1.0), Provider("bob", 2.0)]
    gpu_job = JobSpec("matmul", {"size": 64}, max_price=10, gpu=True)
    gpus = [Provider("cheap-cpu", 0.5), Provider("gpu-b", 4.0, gpu=True),
            Provider("gpu-a", 9.0, gpu=True)]
    nobody = [Provider("ada", 5.0), Provider("bob", 0.1, stake=0), Provider("cy", 0.1)]
    return [
        (job, exact),  # a bid exactly at max_price and a stake exactly at min_stake are fine
        (JobSpec("matmul", {"size": 128}, max_price=5, redundancy=3), tie),  # ties: by name
        (gpu_job, gpus),
        (JobSpec("matmul", {"size": 128}, max_price=3, min_stake=10, gpu=True), nobody),
        (JobSpec("matmul", {"size": 128}, max_price=50, redundancy=4), tie),
    ]


AUCTIONS = _hand_made_markets()
AUCTIONS += [_random_market(random.Random(f"auction-{seed}")) for seed in range(40)]


def _describe(job: JobSpec, providers: Sequence[Provider]) -> str:
    offers = ", ".join(f"{p.name} (bid {p.bid(job)}, stake {p.stake}{', GPU' if p.gpu else ''})"
                       for p in providers)
    needs = f"max_price {job.max_price}, min_stake {job.min_stake}"
    needs += ", needs a GPU" if job.gpu else ""
    return f"a job ({needs}, redundancy {job.redundancy}) and providers {offers}"


def _test_pick_winners(answer: Callable[[JobSpec, list[Provider]], Sequence[str]]) -> str:
    expect_function(answer, 2)
    for job, providers in AUCTIONS:
        try:
            expected = [bid.provider.name for bid in match(job, providers)]
        except NoProviderError:
            expected = None
        try:
            got = answer(job, list(providers))
        except NoProviderError:
            if expected is None:
                continue
            raise CheckFailed(f"For {_describe(job, providers)} you raised NoProviderError, but "
                              f"{expected} may take it.") from None
        if expected is None:
            raise CheckFailed(f"For {_describe(job, providers)} you returned {got!r}, but fewer "
                              f"than {job.redundancy} provider(s) may take it: raise "
                              "NoProviderError.")
        got = _names(got, f"pick_winners for {_describe(job, providers)}")
        if got != expected:
            by_name = {p.name: p for p in providers}
            reasons = [f"{name} may not bid ({why_not(job, by_name[name])})" for name in got
                       if name in by_name and why_not(job, by_name[name])]
            if reasons:
                hint = " " + "; ".join(reasons) + "."
            elif len(got) != len(expected):
                hint = f" Return exactly job.redundancy = {job.redundancy} name(s)."
            elif sorted(got) == sorted(expected):
                hint = " Right providers, wrong order: cheapest first, equal bids by name."
            else:
                hint = " The cheapest eligible bids win; equal bids are ordered by name."
            raise CheckFailed(f"For {_describe(job, providers)} you returned {got}, expected "
                              f"{expected}.{hint}")
    return ("A reverse auction: the requester names its ceiling, providers undercut each other, "
            "and the cheapest eligible bids win, as in Akash's marketplace.")


check_pick_winners = Exercise(
    name="pick_winners",
    goal="Write pick_winners(job, providers): the names of the job.redundancy cheapest providers "
    "allowed to bid (bid <= job.max_price, stake >= job.min_stake, a GPU if job.gpu), cheapest "
    "first, equal bids ordered by name; raise NoProviderError if too few may bid.",
    hints=(
        "A reverse auction with rules: first filter (a provider qualifies only if its "
        "bid is within the job's max price, its stake meets the minimum and it has a "
        "GPU when the job needs one), then rank the qualified ones by bid, ties broken "
        "by name, and take as many as the job's redundancy asks for. Too few qualified "
        "providers is an error, not a smaller answer.",
        "The same pattern on a different market: hire 2 movers for a job capped at $300"
        " needing insurance. Bids: Ada $250 insured, Bo $200 not insured, Cy $250 "
        "insured, Di $320 insured. Filter: Bo (no insurance) and Di (over the cap) are "
        "out. Rank Ada $250 and Cy $250: a tie, broken by name: Ada, Cy. Had only one "
        "qualified, the hire would fail with an error.",
    ),
    test=_test_pick_winners,
)


# --- a quorum vote -------------------------------------------------------------------------------


def _voters(dice: random.Random) -> dict[str, tuple[float, ...]]:
    """Seeded results of 1-7 providers: honest ones agree up to float noise, others do not."""
    scale = 10 ** dice.uniform(-2, 3)
    truth = [dice.gauss(0, scale) for _ in range(16)]
    forged = [value * 1.01 for value in truth]  # close, but 1% off: a subtle cheat
    kinds = dice.choices(["honest", "lazy", "close", "colluding"], weights=[5, 2, 1, 2],
                         k=dice.randint(1, 7))
    results = {}
    for name, kind in zip(dice.sample(NAMES, len(kinds)), kinds, strict=True):
        if kind == "lazy":
            results[name] = tuple(dice.gauss(0, 10) for _ in truth)
        else:
            base = truth if kind == "honest" else forged if kind == "colluding" else [
                value * 1.02 for value in truth]
            results[name] = tuple(value * (1 + dice.gauss(0, 1e-7)) for value in base)
    return results


QUORUM_CASES: list[tuple[dict[str, tuple[float, ...]], int]] = []
for _seed in range(60):
    _results = _voters(random.Random(f"quorum-{_seed}"))
    QUORUM_CASES.append((_results, len(_results) // 2 + 1))
QUORUM_CASES.append((QUORUM_CASES[0][0], len(QUORUM_CASES[0][0]) + 1))  # more than there are


def _reference_vote(results: Mapping[str, tuple[float, ...]], needed: int) -> list[str]:
    as_work = {name: WorkResult("matmul", summary, 0, "cpu") for name, summary in results.items()}
    return sorted(quorum(as_work, needed).agreeing)


def _exact_vote(results: Mapping[str, tuple[float, ...]], needed: int) -> list[str]:
    """What grouping by exact equality (==) would return: the mistake float noise punishes."""
    groups: dict[tuple[float, ...], list[str]] = {}
    for name, summary in results.items():
        groups.setdefault(tuple(summary), []).append(name)
    biggest = max(groups.values(), key=len, default=[])
    return sorted(biggest) if len(biggest) >= needed else []


def _test_quorum_vote(answer: Callable[[dict[str, tuple[float, ...]], int], Sequence[str]]) -> str:
    expect_function(answer, 2)
    cases = [(results, needed, _reference_vote(results, needed))
             for results, needed in QUORUM_CASES]
    for results, needed, expected in cases:
        shown = {name: f"({summary[0]:.6g}, {summary[1]:.6g}, ...)"
                 for name, summary in results.items()}
        got = _names(answer(dict(results), needed), f"quorum_vote({shown}, {needed})")
        if sorted(got) != expected:
            hint = ""
            if len(got) > len(expected) == 0:
                hint = f" No group of at least needed = {needed} agreeing results: return []."
            elif expected and not got and not _names(
                    answer({"ann": (1.0, 2.0), "bob": (1.0, 2.0)}, 2),
                    "quorum_vote({'ann': (1.0, 2.0), 'bob': (1.0, 2.0)}, 2)"):
                hint = (" Even two identical results with needed = 2 get []: a group of exactly "
                        "`needed` members is enough (>=, not >).")
            elif expected and sorted(got) == _exact_vote(results, needed):
                hint = (" These results agree up to float noise (relative 1e-7): compare with a "
                        "tolerance, e.g. np.allclose(a, b, rtol=1e-4, atol=1e-5), never ==.")
            elif set(got) > set(expected):
                hint = " Too lenient: a result 1-2% off is a different answer (rtol=1e-4)."
            raise CheckFailed(f"quorum_vote({shown}, needed={needed}) returned {sorted(got)}, "
                              f"expected {expected}.{hint}")
    return ("Honest replicas agree up to float noise, a lazy cheater's garbage agrees with nobody: "
            "only cheaters who collude on one wrong answer could outvote the honest ones.")


check_quorum_vote = Exercise(
    name="quorum_vote",
    goal="Write quorum_vote(results, needed): results maps each provider to its summary (a tuple "
    "of floats). Group the summaries that agree (np.allclose(a, b, rtol=1e-4, atol=1e-5)); "
    "return the names in the biggest group if it has at least `needed` members, else [].",
    hints=(
        "Replicas of the same job agree only up to float noise, so group the results "
        "that are close (np.allclose with the tolerances in the goal), never exactly "
        "equal. A result is accepted when its group is the biggest and has at least "
        "`needed` members; otherwise nobody wins and the answer is empty.",
        "By hand, with single numbers and 'close' meaning within 1%: results A 10.00, B"
        " 10.01, C 12.0, D 10.02 and needed = 3. Groups: {A, B, D} (each within 1% of "
        "A) and {C}. The biggest group has 3 >= 3 members: A, B, D win. With needed = 4"
        " no group is big enough: the vote returns nothing.",
    ),
    test=_test_quorum_vote,
)


# --- spot checks: how many cheats until one is caught --------------------------------------------


def _boundary_free(rate: float, confidence: float) -> bool:
    """Leave out cases where log(1-c)/log(1-p) is within float noise of a whole number."""
    if rate == 1:
        return True
    ratio = math.log(1 - confidence) / math.log(1 - rate)
    return abs(ratio - round(ratio)) > 1e-6


CATCH_CASES = [(rate, confidence)
               for rate in (0.01, 0.02, 0.05, 0.1, 0.2, 0.25, 0.3, 0.5, 0.75, 0.9, 1.0)
               for confidence in (0.5, 0.9, 0.95, 0.99, 0.999)
               if _boundary_free(rate, confidence)]
CATCH_CASES += [(round(random.Random(f"catch-{seed}").uniform(0.005, 0.6), 4),
                 round(random.Random(f"conf-{seed}").uniform(0.6, 0.9999), 4))
                for seed in range(20)]
CATCH_CASES = [case for case in CATCH_CASES if _boundary_free(*case)]


def _test_jobs_to_catch(answer: Callable[[float, float], int]) -> str:
    expect_function(answer, 2)
    for rate, confidence in CATCH_CASES:
        got = answer(rate, confidence)
        if isinstance(got, float) and float(got).is_integer():
            got = int(got)
        expect_type(got, (int, np.integer), f"jobs_to_catch({rate}, {confidence})")
        expected = jobs_to_catch(rate, confidence)
        if got != expected:
            caught = 1 - (1 - rate) ** got
            hint = ""
            if got == expected - 1:
                hint = (f" With {got} cheats the chance of a catch is only {caught:.4f} < "
                        f"{confidence}: round UP.")
            elif got > expected:
                hint = f" {expected} is already enough: 1 - (1 - p)^{expected} >= {confidence}."
            raise CheckFailed(f"jobs_to_catch({rate}, {confidence}) returned {got}, expected "
                              f"{expected}.{hint}")
    return ("Checking 10% of jobs catches a cheater 99% of the time within 44 cheats, for a "
            "tenth of the work that one extra replica would cost.")


check_jobs_to_catch = Exercise(
    name="jobs_to_catch",
    goal="Write jobs_to_catch(check_rate, confidence): the smallest number k of cheated jobs for "
    "which a spot checker that checks each job with probability check_rate has caught at least "
    "one with probability >= confidence, i.e. 1 - (1 - check_rate)**k >= confidence.",
    hints=(
        "Each cheated job escapes the spot checker with probability 1 - check_rate, "
        "independently, so k cheats all escape with probability (1 - check_rate)^k. You"
        " want the smallest k whose chance of at least one catch, 1 - (1 - "
        "check_rate)^k, reaches the confidence: count up, or use logarithms and round "
        "up, but then treat check_rate = 1 on its own (log(0) is undefined: one cheat "
        "is always caught).",
        "On other numbers: a coin lands heads with probability 0.5; how many throws "
        "until you have seen heads with probability at least 0.9? After 1 throw 0.5, "
        "after 2 0.75, after 3 0.875, after 4 0.9375: the answer is 4. With logarithms:"
        " log(0.1) / log(0.5) = 3.32, rounded up: 4.",
    ),
    test=_test_jobs_to_catch,
)


# --- reputation ----------------------------------------------------------------------------------


def _histories() -> list[list[str]]:
    fixed = [[], ["verified"], ["failed"], ["cheated"], ["verified"] * 10,
             ["verified"] * 10 + ["cheated"], ["failed", "verified", "failed"],
             ["cheated", "cheated"], ["failed"] * 5 + ["verified"] * 5]
    dice = random.Random("reputation")
    fixed += [dice.choices(["verified", "failed", "cheated"], weights=[8, 2, 1],
                           k=dice.randint(1, 40)) for _ in range(20)]
    return fixed


HISTORIES = _histories()


def _test_reputation_score(answer: Callable[[list[str]], float]) -> str:
    expect_function(answer, 1)
    for history in HISTORIES:
        reference = Reputation()
        for outcome in history:
            reference.record("p", outcome)
        expected = reference.score("p")
        got = answer(list(history))
        if isinstance(got, np.floating):
            got = float(got)
        expect_type(got, (int, float), f"reputation_score({history})")
        if not math.isclose(got, expected, rel_tol=1e-9):
            counts = {o: history.count(o) for o in ("verified", "failed", "cheated")}
            hint = ""
            if not history:
                hint = " A stranger has no record: (0 + 1) / (0 + 0 + 2) = 0.5."
            elif counts["cheated"] and math.isclose(
                    got, (counts["verified"] + 1) / (len(history) + 2)):
                hint = " A caught cheat counts as 5 bad outcomes, not 1."
            raise CheckFailed(f"reputation_score({history}) returned {got!r}, expected "
                              f"{expected:.6g} (good {counts['verified']}, failed "
                              f"{counts['failed']}, cheated {counts['cheated']}).{hint}")
    return ("A stranger starts at 0.5, ten good runs lift it to 0.92, and one caught cheat "
            "drops that to 0.65: trust is slow to earn and quick to lose.")


check_reputation_score = Exercise(
    name="reputation_score",
    goal="Write reputation_score(outcomes): outcomes is a list of 'verified', 'failed' and "
    "'cheated'; return (good + 1) / (good + bad + 2), where good counts 'verified', and bad "
    "counts 1 per 'failed' and 5 per 'cheated'.",
    hints=(
        "A Laplace-smoothed success rate: count good and bad outcomes, weigh a cheat as"
        " 5 failures, and add one imaginary good and one imaginary bad outcome so that "
        "a newcomer with no history scores exactly 0.5 and one lucky job does not give "
        "a perfect score.",
        "On other outcomes, a shop's reviews where a fraud report weighs as 3 bad "
        "reviews: 6 good, 1 bad and 1 fraud report make good = 6 and bad = 1 + 3 = 4; "
        "with the smoothing the score is (6 + 1) / (6 + 4 + 2) = 7 / 12 = 0.58. A shop "
        "with no reviews scores (0 + 1) / (0 + 0 + 2) = 0.5.",
    ),
    test=_test_reputation_score,
)


# --- fool the checker: a cheater that beats the summary ------------------------------------------

LAZY_JOBS = ((64, 0), (64, 7), (96, 1), (128, 2), (256, 3), (1024, 4))


def _as_output(got: object, what: str) -> torch.Tensor:
    """The learner's output as a float tensor (a torch tensor or a numpy array)."""
    if isinstance(got, np.ndarray) and got.dtype.kind in "fiu":
        got = torch.from_numpy(np.asarray(got, dtype=np.float32))
    expect_type(got, torch.Tensor, what)
    assert isinstance(got, torch.Tensor)  # for mypy: expect_type just checked it
    return got.detach().float().cpu()


def _test_lazy_matmul(answer: Callable[[int, int], torch.Tensor]) -> str:
    expect_function(answer, 2)
    computed = 0
    for size, seed in LAZY_JOBS:
        call = f"lazy_matmul({size}, {seed})"
        output = _as_output(answer(size, seed), call)
        if tuple(output.shape) != (size, size):
            raise CheckFailed(f"{call} has shape {tuple(output.shape)}, expected ({size}, "
                              f"{size}): the cheater claims the whole product, every row.")
        claimed, honest = summarize(output), old_summary_result(size, seed)
        if not results_agree(claimed, honest):
            row = next(i for i, (x, y) in enumerate(zip(claimed.summary, honest.summary,
                                                        strict=True))
                       if not np.isclose(x, y, rtol=RELATIVE_TOLERANCE, atol=ABSOLUTE_TOLERANCE))
            raise CheckFailed(f"The market catches {call}: row {row} of your output sums to "
                              f"{claimed.summary[row]:.6g}, the honest row {row} to "
                              f"{honest.summary[row]:.6g}. The summary is the sums of rows 0 to "
                              f"{SUMMARY_SIZE - 1}; each must be the honest row's sum.")
        a, b = matmul_inputs(size, seed)
        honest_rows = torch.isclose(output, a @ b, rtol=1e-4, atol=1e-3).all(dim=1)  # (size,)
        computed = int(honest_rows.sum())
        if computed > SUMMARY_SIZE:
            raise CheckFailed(f"{call} passes the market's check, but {computed} of its {size} "
                              f"rows are the honest ones: that is honest work. The summary reads "
                              f"only rows 0 to {SUMMARY_SIZE - 1}; skip the others.")
    size = LAZY_JOBS[-1][0]
    return (f"Every summary is the honest one, and on the {size}² job you computed {computed} "
            f"of {size} rows ({computed / size:.1%} of the work). A quorum would count you as "
            "agreeing, and a spot check would pass you.")


check_lazy_matmul = Exercise(
    name="lazy_matmul",
    goal="Write lazy_matmul(size, seed): a size × size tensor whose summary (the sums of its "
    f"first {SUMMARY_SIZE} rows) agrees with the honest matmul(size, seed), while at most "
    f"{SUMMARY_SIZE} of its rows are the honest rows of A·B. matmul_inputs(size, seed) gives A "
    "and B.",
    hints=(
        "The summary reads nothing but the first 16 rows, and row i of A·B needs only row i of A "
        "(and all of B). What goes in the other rows is never looked at.",
        "On other numbers: for a 6 × 6 product whose summary read the first 2 rows, a[:2] @ b is "
        "a (2, 6) tensor, the 2 rows the summary needs; torch.zeros(6, 6) or torch.randn(6, 6) "
        "is a whole tensor to put them in. Slicing on the left of = writes into rows.",
    ),
    test=_test_lazy_matmul,
)


# --- how often a cheater survives k challenged rows ----------------------------------------------


def _survival_cases() -> list[tuple[float, int, int]]:
    cases = [(f, k, rows) for rows in (64, 10, 1024, 4) for f in (0.5, 0.25, 0.9, 0.3, 1.0, 0.0)
             for k in (3, 1, 2, 8, 16, 4, 0) if k <= rows]  # the edge cases come last
    dice = random.Random("survival")
    for _ in range(40):
        rows = dice.randint(5, 2_000)
        cases.append((round(dice.uniform(0.01, 0.99), 3), dice.randint(1, min(rows, 40)), rows))
    # leave out f·rows within float noise of a whole number (e.g. 0.29 · 100 = 28.999999999999996)
    return [(f, k, rows) for f, k, rows in cases
            if f * rows == round(f * rows) or abs(f * rows - round(f * rows)) > 1e-6]


SURVIVAL_CASES = _survival_cases()


def _test_survival(answer: Callable[[float, int, int], float]) -> str:
    expect_function(answer, 3)
    for f, k, rows in SURVIVAL_CASES:
        call = f"survival({f}, {k}, {rows})"
        got = expect_number(answer(f, k, rows), call)
        expected = survival_probability(f, k, rows)
        if not close_enough(got, expected):
            done = math.floor(f * rows)
            hint = ""
            if not 0 <= got <= 1:
                hint = " A probability is between 0 and 1."
            elif k == 0:
                hint = " With no challenge at all, the cheater surely survives."
            elif f * rows != done:
                hint = (f" The cheater computed floor({f} × {rows}) = {done} rows: round down, "
                        "a row is computed or not.")
            elif close_enough(got, f**k):
                hint = (f" That is f^k, as if a row could be challenged twice; the verifier "
                        f"draws {k} different rows, so each computed row it draws leaves one "
                        "fewer for the next draw.")
            elif any(close_enough(got, survival_probability(f, other, rows))
                     for other in (k - 1, k + 1) if 0 <= other <= rows):
                hint = f" Count your draws: {k} challenges, {k} factors."
            raise CheckFailed(f"{call} returned {got:.10g}, expected {expected:.10g} (the cheater "
                              f"computed {done} of {rows} rows).{hint}")
    return ("Drawing k different rows makes the cheater's chance a little smaller than f^k: "
            "f^k is the bound to design with, the exact value is what you measure.")


check_survival = Exercise(
    name="survival",
    references=(survival_probability,),
    goal="Write survival(work_fraction, challenges, rows): the chance that a cheater who computed "
    "floor(work_fraction × rows) of the rows, and faked the rest, passes `challenges` challenges "
    "when the verifier draws that many different rows at random.",
    hints=(
        "Draw the challenged rows one at a time. The first lands on a computed row with "
        "probability (computed rows) / (rows). If it did, the next is drawn from what is left: "
        "one computed row fewer, one row fewer. The cheater survives only if every draw lands "
        "on a computed row.",
        "On other numbers: 10 rows, 4 computed, 2 challenges gives 4/10 × 3/9 = 0.133, a little "
        "less than 0.4² = 0.16; 3 challenges give 4/10 × 3/9 × 2/8 = 0.033. No challenge at all: "
        "the cheater surely survives.",
    ),
    test=_test_survival,
)


# --- the Sybil: the stake at which cheating under fresh names stops paying -----------------------

STAKE_CASES = [(price, rate, cut) for price in (40, 5, 1_000, 0.5) for rate in
               (0.1, 0.5, 0.01, 1.0, 0.25) for cut in (1.0, 0.5, 0.2)]


def _test_break_even_stake(answer: Callable[[float, float, float], float]) -> str:
    expect_function(answer, 3)
    for price, rate, cut in STAKE_CASES:
        call = f"break_even_stake(price={price}, check_rate={rate}, slash_fraction={cut})"
        got = expect_number(answer(price, rate, cut), call)
        expected = verification.break_even_stake(price, rate, cut)
        if close_enough(got, expected):
            continue
        if close_enough(got, price / rate / cut) or close_enough(got, price / rate):
            raise CheckFailed(f"{call} returned {got:.6g}. The job that gets caught is not paid: "
                              "before the first check the cheater expects (1 - p) / p paid "
                              "jobs, not 1 / p.")
        if close_enough(got, price * (1 - rate) / rate):
            raise CheckFailed(f"{call} returned {got:.6g}: that is what the cheater earns. It "
                              f"loses only slash_fraction = {cut} of its stake when caught.")
        raise CheckFailed(f"{call} returned {got:.6g}, expected {expected:.6g}.")
    return (f"Right on {len(STAKE_CASES)} markets. At 40 credits a job and 10% checked, a "
            "cheater that can come back under a new name needs more than 360 credits at stake "
            "before cheating stops paying.")


check_break_even_stake = Exercise(
    name="break_even_stake",
    goal="Write break_even_stake(price, check_rate, slash_fraction): the stake at which a "
    "cheater who is paid `price` per unchecked job, caught with probability `check_rate` per "
    "job, and loses slash_fraction of its stake when caught (then returns under a new name) "
    "expects to gain exactly nothing.",
    hints=(
        "Section 6's arithmetic: before the first check catches it, a steady cheater expects "
        "(1 - p) / p jobs that were not checked, each paid. Its loss is the slashed part of "
        "its stake. Break-even is where the two are equal.",
        "On other numbers: a fare dodger who saves 3 per ride and is checked on 20% of rides "
        "dodges 0.8 / 0.2 = 4 rides on average before a check, saving 12; a fine that takes "
        "half of a deposit breaks even when half the deposit is 12, a deposit of 24.",
    ),
    test=_test_break_even_stake,
)
