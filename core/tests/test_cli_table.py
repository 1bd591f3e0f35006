"""The CLI's tables (onething.cli.table): drawn without Rich, one line per row, cut to fit."""

from onething.cli.table import cell_width, crop, fit, render


def test_wide_characters_take_two_columns():
    assert cell_width("abc") == 3
    assert cell_width("有效的参数") == 10
    assert cell_width("e\u0301") == 1  # a combining accent takes no column


def test_a_cut_cell_ends_in_an_ellipsis_within_its_width():
    assert crop("catering", 8) == "catering"
    assert crop("complaints", 8) == "complai…"
    assert crop("期间内投诉", 7) == "期间内…"
    assert cell_width(crop("期间内投诉", 7)) <= 7


def test_the_widest_columns_are_cut_first():
    assert fit([5, 30, 40], 100) == [5, 30, 40]
    widths = fit([5, 30, 40], 45)
    assert sum(widths) == 45 and widths[0] == 5 and abs(widths[1] - widths[2]) <= 1


def test_every_line_is_as_wide_as_the_table_and_within_the_terminal():
    rows = [["catering", "complaints.window", "期间内投诉次数", 5, None]] * 3 + [
        ["a", "b", "c", 1, "x"]
    ]
    text = render("2026-12-07 有效的参数", ["领域", "参数", "名称", "取值", "失效"], rows, 40)
    lines = text.splitlines()
    assert len(lines) == 1 + 3 + 4 + 1  # title, head (3 lines), rows, bottom
    assert {cell_width(line) for line in lines[1:]} == {40}
    assert lines[0].strip() == "2026-12-07 有效的参数"
    assert lines[2].startswith("┃ 领域") and lines[-1].startswith("└")
    assert "│ a " in text and "…" in text
    assert "None" not in text  # an empty value prints as an empty cell


def test_markup_in_data_is_printed_as_it_is():
    assert "[bold]x[/bold]" in render("", ["a"], [["[bold]x[/bold]"]], 100)
