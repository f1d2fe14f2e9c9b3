"""The compute package reads like the course: each module names the notebook that teaches it
(as d2l stamps each function with its chapter)."""

from __future__ import annotations

import importlib
import pkgutil
import re

import course.compute

MODULES = sorted(info.name for info in pkgutil.iter_modules(course.compute.__path__))


def test_every_module_docstring_names_the_notebooks_that_teach_it():
    for name in ["__init__", *MODULES]:
        module = importlib.import_module(
            "course.compute" if name == "__init__" else f"course.compute.{name}")
        assert re.search(r"[Nn]otebooks? \d\d", module.__doc__ or ""), name
