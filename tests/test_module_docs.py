"""Every module of the course's library names the notebook(s) that teach it, as d2l stamps each
function with its chapter: a learner who opens the code knows where the lesson is."""

import ast
import re

import pytest

from course.curriculum import LESSONS
from tests.conftest import ROOT

LIBRARY = sorted(path for package in ("chain", "defi", "evm", "compute")
                 for path in (ROOT / "course" / package).glob("*.py"))
NUMBERS = {f"{lesson.number:02d}" for lesson in LESSONS}


@pytest.mark.parametrize("path", LIBRARY, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_module_docstring_names_a_notebook_that_exists(path):
    docstring = ast.get_docstring(ast.parse(path.read_text())) or ""
    named = set(re.findall(r"\bnotebooks? (\d\d)", docstring))
    named |= {n for a, b in re.findall(r"\bnotebooks (\d\d)-(\d\d)", docstring)
              for n in (f"{i:02d}" for i in range(int(a), int(b) + 1))}
    assert named, f"{path.name}: say which notebook teaches it, e.g. 'Taught in notebook 04.'"
    assert named <= NUMBERS, f"{path.name} names notebooks that do not exist: {named - NUMBERS}"
