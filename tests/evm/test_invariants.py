"""The invariant fuzzer: a correct token keeps every rule; a rule that is false is caught with the
shortest sequence that breaks it, named call by call and account by account; bad setups are
refused. Runs on the in-memory EVM and on anvil (the `w3` fixture)."""

import pytest
from hypothesis import strategies as st

from course.evm.deploy import deploy
from course.evm.invariants import Action, Broken, InvalidFuzzSetup, Invariant, fuzz

SUPPLY = 1_000


def token(w3, actors):
    return deploy(w3, "CourseToken", "Fuzz", "FZ", SUPPLY, sender=actors[0])


def amounts(actors):
    return st.tuples(st.sampled_from(actors), st.integers(0, SUPPLY))


def balances(run):
    return [run.contract.functions.balanceOf(a).call() for a in run.actors]


def conserved(run):
    total = sum(balances(run))
    return None if total == SUPPLY else f"the balances add up to {total}"


def transfer_moves_the_amount(run, step):
    before = step.seen_before
    after = balances(run)
    to = run.actors.index(step.args[0])
    if step.reverted is not None:
        enough = before[run.actors.index(step.sender)] >= step.args[1]
        return f"refused with {step.args[1]} available" if enough else None
    if step.sender != step.args[0] and after[to] != before[to] + step.args[1]:
        return f"the recipient got {after[to] - before[to]}"
    return None


TRANSFER = Action(
    "transfer",
    amounts,
    rule=transfer_moves_the_amount,
    look=lambda run, sender, args: balances(run),
)


def test_a_correct_token_keeps_every_rule(w3):
    assert (
        fuzz(
            token,
            [TRANSFER],
            [Invariant("supply conserved", conserved)],
            w3=w3,
            examples=10,
            steps=4,
        )
        is None
    )


def test_a_false_rule_is_reported_with_the_shortest_sequence_that_breaks_it():
    def founder_keeps_everything(run):
        held = run.contract.functions.balanceOf(run.actors[0]).call()
        return None if held == SUPPLY else f"the founder holds {held}"

    broken = fuzz(
        token,
        [TRANSFER, Action("approve", amounts)],
        [Invariant("founder keeps everything", founder_keeps_everything)],
        labels=["founder", "bob", "carol"],
        actors=3,
        examples=20,
        steps=5,
    )
    assert isinstance(broken, Broken)
    assert broken.rule == "invariant 'founder keeps everything'"
    (call,) = broken.steps  # one transfer from the founder is enough: the others were dropped
    assert call.startswith("founder calls transfer(") and "founder holds" in broken.problem
    assert str(broken).startswith("after founder calls transfer(")
    assert "invariant 'founder keeps everything' broke: the founder holds" in str(broken)


def test_an_action_rule_sees_refusals_and_names_the_reason():
    def never_refused(run, step):
        return None if step.reverted is None else "refused"

    broken = fuzz(
        token, [Action("transfer", amounts, rule=never_refused)], actors=2, examples=20, steps=3
    )
    assert broken is not None and broken.rule == "the rule of transfer"
    (call,) = broken.steps
    assert " calls transfer(" in call
    assert "(refused: ERC20: transfer amount exceeds balance)" in call


def test_a_custom_action_moves_time_or_anything_else():
    waited = []

    def wait(run, sender, args):
        waited.append(args)
        return None

    assert (
        fuzz(
            token,
            [Action("wait", lambda actors: st.tuples(st.integers(1, 9)), perform=wait)],
            examples=3,
            steps=2,
        )
        is None
    )
    assert waited and all(1 <= seconds <= 9 for (seconds,) in waited)


def test_the_same_contract_gets_the_same_verdict_every_time():
    def small(run):
        held = run.contract.functions.balanceOf(run.actors[3]).call()
        return None if held == 0 else f"account 3 holds {held}"

    first = fuzz(token, [TRANSFER], [Invariant("small", small)], examples=15, steps=4)
    assert first is not None
    assert fuzz(token, [TRANSFER], [Invariant("small", small)], examples=15, steps=4) == first


@pytest.mark.parametrize(
    "kwargs, field",
    [
        ({"actions": []}, "actions"),
        ({"actions": ["transfer"]}, "actions"),
        ({"invariants": [conserved]}, "invariants"),
        ({"actors": 0}, "actors"),
        ({"steps": 100}, "steps"),
        ({"examples": 0}, "examples"),
        ({"labels": ["only one"]}, "labels"),
        ({"setup": "CourseToken"}, "setup"),
    ],
)
def test_a_setup_that_cannot_fuzz_is_refused_with_the_field(kwargs, field):
    arguments = {"setup": token, "actions": [TRANSFER], **kwargs}
    with pytest.raises(InvalidFuzzSetup, match=field):
        fuzz(**arguments)


def test_a_scenario_is_tried_first_and_named_call_by_call():
    def account_two_stays_empty(run):
        held = run.contract.functions.balanceOf(run.actors[2]).call()
        return None if held == 0 else f"account 2 holds {held}"

    def gift(actors):
        return [("approve", 0, (actors[1], 5)), ("transfer", 0, (actors[2], 7))]

    broken = fuzz(token, [TRANSFER, Action("approve", amounts)],
                  [Invariant("empty", account_two_stays_empty)], examples=1, steps=1,
                  scenarios=[gift])
    assert broken is not None and broken.steps == ("account 0 calls transfer(account 2, 7)",)
    assert broken.problem == "account 2 holds 7"


@pytest.mark.parametrize("scenario, field", [
    (lambda actors: [("mint", 0, ())], "scenario"),
    (lambda actors: [("transfer", 9, (actors[0], 1))], "scenario's actor"),
])
def test_a_scenario_with_an_unknown_action_or_actor_is_refused(scenario, field):
    with pytest.raises(InvalidFuzzSetup, match=field):
        fuzz(token, [TRANSFER], scenarios=[scenario])
