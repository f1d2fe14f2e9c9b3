"""The check mechanism: runs answers, never shows a traceback, gives help in steps."""

import pytest

from course.exercises import (
    FAILED,
    NOT_DONE,
    PASSED,
    RESULTS,
    CheckFailed,
    Exercise,
    expect_function,
    expect_type,
    scoreboard,
)


def _test_square(answer):
    expect_function(answer, 1)
    for x in (0, 3, -4):
        got = answer(x)
        expect_type(got, int, f"square({x})")
        if got != x * x:
            raise CheckFailed(f"square({x}) returned {got}, expected {x * x}.")
    return "Squares are right."


@pytest.fixture
def check_square():
    return Exercise("square", "Return x squared.", ("Multiply.", "x * x"), _test_square)


def test_a_correct_answer_passes(check_square):
    outcome = check_square.check(lambda x: x**2)
    assert outcome.status == PASSED and outcome.passed
    assert "Squares are right." in str(outcome)


@pytest.mark.parametrize("placeholder", [None, ...])
def test_a_placeholder_value_is_not_done(check_square, placeholder):
    assert check_square.check(placeholder).status == NOT_DONE


def test_an_answer_that_raises_not_implemented_is_not_done(check_square):
    def square(x):
        raise NotImplementedError

    assert check_square.check(square).status == NOT_DONE


def test_a_wrong_answer_fails_naming_the_input_and_pointing_to_hints(check_square):
    outcome = check_square.check(lambda x: 2 * x)
    assert outcome.status == FAILED
    assert "square(3) returned 6, expected 9" in outcome.message
    assert "check_square.hint()" in outcome.message


def test_an_answer_that_crashes_fails_with_the_error_but_no_traceback(check_square, capsys):
    check_square(lambda x: 1 / 0)
    printed = capsys.readouterr().out
    assert "ZeroDivisionError: division by zero" in printed
    assert "Traceback" not in printed
    assert printed.count("\n") == 1, "one line, not a stack dump"


@pytest.mark.parametrize(
    "answer, says",
    [
        (42, "Expected a function, got int 42"),
        (lambda a, b: a, "should take 1 argument(s)"),
        (lambda x: None, "did you forget a `return`?"),
        (lambda x: "9", "should be an int, got str '9'"),
        (lambda x: True, "should be a number, got the bool True"),
    ],
)
def test_answers_of_the_wrong_kind_get_a_clear_message(check_square, answer, says):
    outcome = check_square.check(answer)
    assert outcome.status == FAILED
    assert says in outcome.message


def test_help_comes_in_steps_goal_concept_example_then_solution(check_square, capsys):
    for _ in range(5):
        check_square.hint()
    lines = [line for line in capsys.readouterr().out.splitlines() if line.startswith("Help")]
    assert [line.split(":")[1].strip() for line in lines] == [
        "Goal", "Concept", "Worked example", "Solution", "Solution",
    ]
    assert "Return x squared." in lines[0] and "collapsed cell" in lines[3]


def test_every_check_is_recorded_for_the_scoreboard(check_square):
    RESULTS.clear()
    check_square.check(lambda x: x * x)
    assert RESULTS["square"].status == PASSED
    assert "square" in str(scoreboard()) and "passed" in str(scoreboard())


class _TwoArguments:
    """A callable object with no __name__ and the wrong signature."""

    def __call__(self, a, b):
        return a


def test_odd_answers_get_a_message_never_a_traceback(check_square):
    huge = 10**5000  # repr() refuses ints this long (Python's int-to-str limit)
    outcome = check_square.check(lambda x: huge)
    assert outcome.status == FAILED and "cannot be shown" in outcome.message
    outcome = check_square.check(huge)
    assert outcome.status == FAILED and "Expected a function, got int" in outcome.message
    outcome = check_square.check(_TwoArguments())
    assert outcome.status == FAILED and "its signature is _TwoArguments(a, b)" in outcome.message
