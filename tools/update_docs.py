"""Regenerate the parts of README.md and docs/learning_paths.md made from course/curriculum.py
(the curriculum table, the learning paths, the needs-and-unlocks and role tables).

    .venv/bin/python tools/update_docs.py
"""

from __future__ import annotations

from course.docs import generated_files


def main() -> None:
    for path, text in generated_files().items():
        if path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
            print(f"{path.name}: updated")
        else:
            print(f"{path.name}: up to date")


if __name__ == "__main__":
    main()
