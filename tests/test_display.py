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


def test_dollar_amounts_in_markdown_are_not_typeset_as_math():
    """Two `$` in one table would be a LaTeX formula in JupyterLab and merge the cells between."""
    table = Table(("demand", "price"), [("$50,000", "$0.50"), ("$2M | more", "1")], title="$ paid")
    markdown = table._repr_markdown_()
    assert r"| \$50,000 | \$0.50 |" in markdown and r"| \$2M \| more | 1 |" in markdown
    assert r"**\$ paid**" in markdown
    assert "$" not in markdown.replace(r"\$", "")
    assert "$50,000     $0.50" in str(table), "the plain text keeps its dollar signs"


def test_jupyterlab_would_render_the_escaped_dollar_as_a_dollar():
    """CommonMark turns a backslash before punctuation into that character: `\\$` shows `$`."""
    mistune = pytest.importorskip("mistune")  # nbconvert's Markdown renderer
    html = mistune.create_markdown(plugins=["table"])(Table(("cost",), [("$1",)])._repr_markdown_())
    assert "<td>$1</td>" in html and "\\" not in html
