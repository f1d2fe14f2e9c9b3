"""Every student copy runs top to bottom with every exercise not done: notebooks 10-16 (Part III:
DeFi, Part IV: compute, the capstone)."""

import pytest

from tests.student_copies import assert_the_student_copy_runs, notebooks_numbered

NOTEBOOKS = notebooks_numbered(10, 16)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[path.name for path in NOTEBOOKS])
def test_every_student_copy_runs_top_to_bottom_with_every_exercise_not_done(path, tmp_path):
    assert_the_student_copy_runs(path, tmp_path)
