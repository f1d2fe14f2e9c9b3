"""Regenerate the curriculum table in README.md from course/curriculum.py.

    .venv/bin/python tools/update_readme.py
"""

from __future__ import annotations

from pathlib import Path

from course.curriculum import readme_table

README = Path(__file__).resolve().parents[1] / "README.md"
START = "| # | notebook | time |"


def main() -> None:
    text = README.read_text()
    begin = text.index(START)
    end = text.index("\n\n", begin)
    README.write_text(text[:begin] + readme_table() + text[end:])
    print("README.md curriculum table updated")


if __name__ == "__main__":
    main()
