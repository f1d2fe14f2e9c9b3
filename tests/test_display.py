import pytest

from course.display import Table


def test_table_aligns_columns_and_renders_markdown():
    table = Table(("name", "n"), [("alpha", 1), ("b", 22)], title="Demo")
    assert str(table).splitlines() == ["Demo", "name   n", "-----  --", "alpha  1", "b      22"]
    markdown = table._repr_markdown_()
    assert "| name | n |" in markdown and "| alpha | 1 |" in markdown


def test_markdown_escapes_pipes_inside_cells():
    assert r"a \| b" in Table(("x",), [("a | b",)])._repr_markdown_()


def test_a_row_of_the_wrong_width_is_rejected_with_both_sizes():
    with pytest.raises(ValueError, match="2 cells; the header has 1"):
        Table(("only",), [("a", "b")])
