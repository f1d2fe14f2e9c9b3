"""A small table that prints as aligned text and renders as markdown in JupyterLab.

Plain text is what nbval compares and what the terminal shows, so it must be
deterministic: no object addresses, floats already rounded by the caller.

JupyterLab typesets ``$...$`` in Markdown as LaTeX math, so "$50,000 ... $2M" in two cells would
become one formula and merge the columns: the Markdown form puts a backslash before every
``$``, which JupyterLab (and nbconvert, and the course site) shows as a plain dollar sign. There
is no HTML form on purpose: the Markdown one is what JupyterLab shows.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence


class Table:
    """Rows of text under a header: ``Table(("name", "value"), [("a", 1)])``."""

    def __init__(
        self, header: Sequence[str], rows: Iterable[Sequence[object]], title: str = ""
    ) -> None:
        self.header = tuple(str(h) for h in header)
        self.rows = [tuple(str(cell) for cell in row) for row in rows]
        self.title = title
        for row in self.rows:
            if len(row) != len(self.header):
                raise ValueError(
                    f"table row {row!r} has {len(row)} cells; the header has {len(self.header)}"
                )

    def __str__(self) -> str:
        widths = [len(h) for h in self.header]
        for row in self.rows:
            widths = [max(w, len(cell)) for w, cell in zip(widths, row, strict=True)]

        def line(cells: Sequence[str]) -> str:
            return "  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip()

        lines = [self.title] if self.title else []
        lines += [line(self.header), line(["-" * w for w in widths])]
        lines += [line(row) for row in self.rows]
        return "\n".join(lines)

    def __repr__(self) -> str:
        return str(self)

    def _repr_markdown_(self) -> str:
        def line(cells: Sequence[str]) -> str:
            return "| " + " | ".join(markdown_text(c) for c in cells) + " |"

        lines = [f"**{markdown_text(self.title)}**", ""] if self.title else []
        lines += [line(self.header), "|" + "---|" * len(self.header)]
        lines += [line(row) for row in self.rows]
        return "\n".join(lines)


def markdown_text(text: str) -> str:
    """``text`` for a Markdown table cell: ``|`` ends no cell, ``$`` starts no formula."""
    return re.sub(r"([|$])", r"\\\1", text)
