"""An evaluation's result as the text `ganforge evaluate` prints."""

from ganforge.metrics.summary import format_alignment, format_table


def test_format_alignment():
    text = format_alignment({"alignment": {
        "captions": 1000, "num_classes": 10, "class": 0.912,
        "attributes": {"size": 0.5, "size_n": 30, "all": 0.5, "all_n": 30, "chance": 1 / 3}}})
    assert "class alignment (1000 held-out captions): 0.912 (chance 0.100)" in text
    assert "attribute alignment: all 0.500 (n=30, chance 0.333); size 0.500 (n=30)" in text


def test_format_table_pairs_each_figure_with_its_floor():
    result = {"n": 300, "metrics": {"fd": 12.5, "coverage": 9, "num_classes": 10},
              "real": {"fd": 0.75, "coverage": 10, "num_classes": 10}}
    lines = format_table(result).splitlines()
    assert len(lines) == 3 and lines[0].split() == ["metric", "generated", "real", "data", "n"]
    assert lines[1].split()[-3:] == ["12.500", "0.750", "300"]
    assert lines[2].split()[-3:] == ["9/10", "10/10", "300"]
