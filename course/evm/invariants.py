"""Invariant fuzzing of a deployed contract, the way Foundry does it: random calls, fixed rules.

hypothesis draws random sequences of calls (which function, from which account, with which
arguments); after every call the harness checks the rules and stops at the first one that
breaks. It then drops every call the failure does not need, and reports what is left::

    from hypothesis import strategies as st
    from course.evm.invariants import Action, Invariant, fuzz

    def conserved(run):                      # an invariant: None when it holds
        total = sum(run.contract.functions.balanceOf(a).call() for a in run.actors)
        return None if total == SUPPLY else f"the balances add up to {total}, not {SUPPLY}"

    broken = fuzz(
        setup=lambda w3, actors: Token.deploy(w3, SUPPLY, sender=actors[0]),
        actions=[Action("transfer", lambda actors: st.tuples(st.sampled_from(actors),
                                                             st.integers(0, SUPPLY)))],
        invariants=[Invariant("supply conserved", conserved)],
    )
    print(broken or "every invariant held")  # names the calls, the accounts, the broken rule

Two kinds of rule: an ``Invariant`` holds after every call (total supply conserved); an
``Action``'s ``rule`` judges one call against what ``look`` read just before it (a successful
``transferFrom`` lowered the allowance by the amount). A call that reverts is not a failure by
itself: a rule says when refusing was wrong. ``run.read(what, reader)`` reads the chain once
per call for every rule that needs the same numbers. Every run starts from the state ``setup`` left
(a chain snapshot), and hypothesis is derandomized, so the same contract gets the same verdict.
Taught in notebooks 07 and 09 (the escrow, the ERC-20 and the vesting wallet checks).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar, cast

from hypothesis import HealthCheck, Phase, Verbosity, given, settings
from hypothesis import strategies as st
from web3 import Web3
from web3.contract import Contract
from web3.types import RPCEndpoint, TxReceipt

from course.errors import EvmError
from course.evm.connection import connect, ensure_web3
from course.evm.deploy import REVERTS, revert_reason, send
from course.validation import ensure, ensure_int

T = TypeVar("T")


class InvalidFuzzSetup(EvmError, ValueError):
    """Actions, invariants or sizes that cannot make a fuzzing run."""


@dataclass(frozen=True)
class Step:
    """One call of a sequence: who sent what, and whether the contract refused it."""

    action: str
    sender: str
    args: tuple[Any, ...]
    reverted: str | None = None  # the revert reason, or None when the call went through
    receipt: TxReceipt | None = None  # the transaction's receipt (None if it reverted)
    seen_before: Any = None  # what the action's ``look`` read just before the call

    def fee(self) -> int:
        """The wei the sender paid for this transaction's gas (0 when it reverted)."""
        if self.receipt is None:
            return 0
        return int(self.receipt["gasUsed"]) * int(self.receipt["effectiveGasPrice"])


@dataclass
class Run:
    """What rules see: the chain, the contract under test, the actors and the calls so far."""

    w3: Web3
    contract: Contract
    actors: tuple[str, ...]
    labels: dict[str, str]
    steps: list[Step] = field(default_factory=list)
    memo: dict[str, Any] = field(default_factory=dict)  # reads since the last call: see read()

    def read(self, what: str, reader: Callable[[], T]) -> T:
        """``reader()``, remembered as ``what`` until the next call changes the chain: rules and
        invariants that need the same numbers (every balance) read them once per call."""
        if what not in self.memo:
            self.memo[what] = reader()
        return cast(T, self.memo[what])

    def name(self, value: Any) -> str:
        """An address as its label ("account 1", "buyer"); anything else as repr."""
        if isinstance(value, str) and value in self.labels:
            return self.labels[value]
        return repr(value)


Rule = Callable[[Run, Step], "str | None"]
Scenario = Callable[[tuple[str, ...]], Sequence[tuple[str, int, tuple[Any, ...]]]]


@dataclass(frozen=True)
class Action:
    """A call the fuzzer may make: ``name`` of a contract function (or of ``perform``).

    ``arguments(actors)`` is a hypothesis strategy of argument tuples (it may draw addresses
    from ``actors``). ``look(run, sender, args)`` reads the state ``rule`` needs before the call;
    ``rule(run, step)`` returns None when the call behaved, or what went wrong. ``perform(run,
    sender, args)`` replaces the default: sending ``contract.functions.<name>(*args)``.
    """

    name: str
    arguments: Callable[[tuple[str, ...]], st.SearchStrategy[tuple[Any, ...]]] = lambda actors: (
        st.just(())
    )
    rule: Rule | None = None
    look: Callable[[Run, str, tuple[Any, ...]], Any] | None = None
    perform: Callable[[Run, str, tuple[Any, ...]], TxReceipt | None] | None = None
    says: str = ""  # how a report tells the step, e.g. "{0} seconds pass" (default: who calls what)


@dataclass(frozen=True)
class Invariant:
    """A rule that must hold after every call: ``holds(run)`` is None, or what is wrong."""

    name: str
    holds: Callable[[Run], str | None]


@dataclass(frozen=True)
class Broken:
    """The shortest sequence of calls found that breaks ``rule``, and what went wrong."""

    rule: str  # "invariant 'supply conserved'" or "the rule of transferFrom"
    problem: str
    steps: tuple[str, ...]  # each call as "account 1 calls transferFrom(account 0, ...)"

    def __str__(self) -> str:
        calls = "; ".join(self.steps) if self.steps else "deployment alone"
        return f"after {calls}: {self.rule} broke: {self.problem}"


Calls = list[tuple[Action, int, tuple[Any, ...]]]  # (action, actor index, arguments)


class _Found(Exception):
    def __init__(self, broken: Broken, sequence: Calls) -> None:
        super().__init__(str(broken))
        self.broken, self.sequence = broken, sequence


class _Checkpoint:
    """The chain state right after setup, restored before every sequence."""

    def __init__(self, w3: Web3) -> None:
        self.w3 = w3
        self.tester = getattr(w3.provider, "ethereum_tester", None)
        self.id = self._take()

    def _take(self) -> Any:
        if self.tester is not None:
            return self.tester.take_snapshot()
        return self.w3.provider.make_request(RPCEndpoint("evm_snapshot"), []).get("result")

    def restore(self) -> bool:
        """Go back to the checkpoint; False when the node cannot (then set up again)."""
        if self.tester is not None:
            self.tester.revert_to_snapshot(self.id)
            return True
        if self.id is None:
            return False
        done = self.w3.provider.make_request(RPCEndpoint("evm_revert"), [self.id])
        self.id = self._take()  # anvil forgets a snapshot once it reverts to it
        return bool(done.get("result"))


def _label(run: Run, step: Step, says: str) -> str:
    args = ", ".join(run.name(arg) for arg in step.args)
    text = f"{run.name(step.sender)} calls {step.action}({args})"
    if says:
        text = says.format(*(run.name(arg) for arg in step.args), sender=run.name(step.sender))
    return text + (f" (refused: {step.reverted})" if step.reverted is not None else "")


def fuzz(
    setup: Callable[[Web3, tuple[str, ...]], Contract],
    actions: Sequence[Action],
    invariants: Sequence[Invariant] = (),
    *,
    w3: Web3 | None = None,
    actors: int = 4,
    labels: Sequence[str] | None = None,
    steps: int = 6,
    examples: int = 30,
    describe_revert: Callable[[BaseException], str] = revert_reason,
    scenarios: Sequence[Scenario] = (),
) -> Broken | None:
    """Fuzz the contract ``setup(w3, actors)`` deploys; return the first rule broken, or None.

    Each example is a sequence of 1 to ``steps`` calls, each an ``Action`` sent from one of the
    first ``actors`` accounts (named ``labels[i]``, default "account i"). ``examples`` sequences
    are tried, derandomized (the same every run), after the hand-written ``scenarios``: each a
    function of the actors' addresses that returns calls ``(action name, actor index, args)``,
    for the sequences a bug needs that random draws may miss (approve, then transferFrom).
    A broken rule is reported with the shortest
    sequence that still breaks it (calls the failure does not need are dropped).

    Raises:
        InvalidFuzzSetup: no actions, an action or invariant of the wrong kind, sizes out of
            range (actors 1-10, steps 1-50, examples 1-1000), or a scenario that names an
            unknown action or actor.
        Exceptions of ``setup``, a ``look``, a ``rule`` or ``perform`` are not caught (a rule
        may raise on purpose, e.g. the exercises' "not done yet"); reverts of calls are.
    """
    ensure(callable(setup), InvalidFuzzSetup, "setup", setup, "a function (w3, actors) -> Contract")
    ensure(
        len(actions) > 0 and all(isinstance(a, Action) for a in actions),
        InvalidFuzzSetup,
        "actions",
        actions,
        "a non-empty list of Action",
    )
    ensure(
        all(isinstance(i, Invariant) for i in invariants),
        InvalidFuzzSetup,
        "invariants",
        invariants,
        "a list of Invariant",
    )
    ensure_int(actors, "actors", minimum=1, maximum=10, error=InvalidFuzzSetup)
    ensure_int(steps, "steps", minimum=1, maximum=50, error=InvalidFuzzSetup)
    ensure_int(examples, "examples", minimum=1, maximum=1000, error=InvalidFuzzSetup)
    w3 = connect() if w3 is None else ensure_web3(w3)
    addresses = tuple(w3.eth.accounts[:actors])
    names = list(labels) if labels is not None else [f"account {i}" for i in range(actors)]
    ensure(
        len(names) == len(addresses),
        InvalidFuzzSetup,
        "labels",
        labels,
        f"one name for each of the {len(addresses)} actors",
    )
    run = Run(w3, setup(w3, addresses), addresses, dict(zip(addresses, names, strict=True)))
    checkpoint = _Checkpoint(w3)
    by_name = {action.name: action for action in actions}

    def replay(sequence: Calls) -> Broken | None:
        if not checkpoint.restore():
            run.contract = setup(w3, addresses)
        run.steps, run.memo = [], {}
        for invariant in invariants:
            if (problem := invariant.holds(run)) is not None:
                return Broken(f"invariant '{invariant.name}'", problem, ())
        for action, who, args in sequence:
            step = _perform(run, action, addresses[who], args, describe_revert)
            run.steps.append(step)
            run.memo = {}
            problems = [
                (f"the rule of {action.name}", action.rule(run, step) if action.rule else None)
            ]
            for invariant in invariants:
                if problems[-1][1] is None:
                    problems.append((f"invariant '{invariant.name}'", invariant.holds(run)))
            name, problem = problems[-1]
            if problem is not None:
                return Broken(
                    name, problem, tuple(_label(run, s, by_name[s.action].says) for s in run.steps)
                )
        return None

    one_call = st.one_of(
        [
            st.tuples(st.just(action), st.integers(0, actors - 1), action.arguments(addresses))
            for action in actions
        ]
    )

    @settings(
        max_examples=examples,
        deadline=None,
        derandomize=True,
        database=None,
        phases=(Phase.explicit, Phase.generate),
        report_multiple_bugs=False,
        suppress_health_check=list(HealthCheck),
        verbosity=Verbosity.quiet,
        print_blob=False,
    )
    @given(st.lists(one_call, min_size=1, max_size=steps))
    def search(sequence: Calls) -> None:
        if (broken := replay(sequence)) is not None:
            raise _Found(broken, sequence)

    for scenario in scenarios:
        calls = [
            (by_name[name], who, tuple(args))
            for name, who, args in scenario(addresses)
            if _known(name, by_name) and _actor(who, actors)
        ]
        if (broken := replay(calls)) is not None:
            return _shortest(broken, calls, replay)
    try:
        search()
    except _Found as found:
        return _shortest(found.broken, found.sequence, replay)
    return None


def _known(name: str, actions: dict[str, Action]) -> bool:
    ensure(
        name in actions, InvalidFuzzSetup, "scenario", name, f"one of the actions {list(actions)}"
    )
    return True


def _actor(who: int, actors: int) -> bool:
    ensure_int(who, "scenario's actor", minimum=0, maximum=actors - 1, error=InvalidFuzzSetup)
    return True


def _perform(
    run: Run,
    action: Action,
    sender: str,
    args: tuple[Any, ...],
    describe_revert: Callable[[BaseException], str],
) -> Step:
    seen = action.look(run, sender, args) if action.look else None
    try:
        if action.perform is not None:
            receipt = action.perform(run, sender, args)
        else:
            call = run.contract.functions[action.name](*args)
            receipt = send(run.w3, call, sender=sender)
    except REVERTS as error:
        return Step(action.name, sender, args, describe_revert(error), None, seen)
    return Step(action.name, sender, args, None, receipt, seen)


def _shortest(broken: Broken, sequence: Calls, replay: Callable[[Calls], Broken | None]) -> Broken:
    """Drop calls one at a time while the same rule still breaks (at most len**2 replays)."""
    shorter = True
    while shorter and len(sequence) > 1:
        shorter = False
        for i in range(len(sequence)):
            candidate = sequence[:i] + sequence[i + 1 :]
            again = replay(candidate)
            if again is not None and again.rule == broken.rule:
                broken, sequence, shorter = again, candidate, True
                break
    return broken
