"""An evaluation's result as the text `ganforge evaluate` prints."""

from ganforge.metrics.summary import format_alignment, format_table, format_unseen


def test_format_alignment():
    text = format_alignment({"alignment": {
        "captions": 1000, "num_classes": 10, "class": 0.912,
        "attributes": {"size": 0.5, "size_n": 30, "all": 0.5, "all_n": 30, "chance": 1 / 3}}})
    assert "class alignment (1000 held-out captions): 0.912 (chance 0.100)" in text
    assert "attribute alignment: all 0.500 (n=30, chance 0.333); size 0.500 (n=30)" in text
    ceiling = format_alignment({"alignment": {
        "captions": 10, "num_classes": 4, "class": 0.2, "class_ceiling": 0.5}})
    assert "0.200 (chance 0.250, at best 0.500 from what the captions state)" in ceiling


def test_format_table_pairs_each_figure_with_its_floor():
    result = {"n": 300, "metrics": {"fd": 12.5, "coverage": 9, "num_classes": 10},
              "real": {"fd": 0.75, "coverage": 10, "num_classes": 10}}
    lines = format_table(result).splitlines()
    assert len(lines) == 3 and lines[0].split() == ["metric", "generated", "real", "data", "n"]
    assert lines[1].split()[-3:] == ["12.500", "0.750", "300"]
    assert lines[2].split()[-3:] == ["9/10", "10/10", "300"]


def test_format_table_gives_the_real_count_when_fewer_real_images_were_at_hand():
    result = {"n": 5000, "metrics": {"fd": 408.7}, "real": {"fd": 26.4, "n": 216}}
    assert format_table(result).splitlines()[1].split()[-5:] == [
        "408.700", "26.400", "5000", "(216", "real)"]
    result["real"]["n"] = 5000
    assert format_table(result).splitlines()[1].split()[-1] == "5000"


def test_format_table_says_when_the_test_split_is_too_small_to_say_much():
    result = {"n": 200, "metrics": {"precision": 1.0}, "real": {"precision": 0.83},
              "reference_n": 24}
    assert format_table(result).splitlines()[-1].startswith(
        "note: the test split holds 24 images; figures against so few")
    result["reference_n"] = 10_000
    assert len(format_table(result).splitlines()) == 2


def test_format_unseen_puts_each_kind_beside_the_held_out_figures():
    held = {"captions": 50, "class": 0.5, "attributes": {"size": 0.4, "size_n": 20, "all": 0.4,
                                                        "all_n": 20, "chance": 1 / 3},
            "real": {"attributes": {"all": 0.95}}}
    unseen = {"captions": 50, "seed": 0,
              "new_orders": {"name": "new word orders", "class": 0.25,
                             "attributes": {"size": 0.3, "size_n": 18, "all": 0.3},
                             "ratio": {"class": 0.5, "size": 0.75, "all": 0.75},
                             "real": {"attributes": {"all": 0.9}}},
              "new_combinations": {"name": "new combinations",
                                   "attributes": {"size": 0.2, "size_n": 9, "all": 0.2},
                                   "ratio": {"size": 0.5, "all": 0.5}}}
    lines = format_unseen({"alignment": held, "unseen": unseen}).splitlines()
    assert lines[0].startswith("captions never seen in training (50 of each kind)")
    assert lines[1].split() == ["figure", "held-out", "new", "word", "orders", "ratio", "new",
                                "combinations", "ratio"]
    assert lines[2].split() == ["class", "0.500", "0.250", "0.50", "-", "-"]
    assert lines[3].split() == ["size", "0.400", "0.300", "(n=18)", "0.75", "0.200", "(n=9)",
                                "0.50"]
    assert lines[4].split()[:2] == ["all", "0.400"]
    assert lines[5] == "real images on the new word orders: all 0.900 (on the held-out " \
                       "captions 0.950)"


def test_format_unseen_shows_the_class_ceiling_where_known():
    held = {"captions": 5, "class": 0.2, "class_ceiling": 0.333, "attributes": {"all": 0.4}}
    unseen = {"captions": 5, "seed": 0,
              "new_orders": {"name": "new word orders", "class": 0.25, "class_ceiling": 0.402,
                             "attributes": {"all": 0.3}, "ratio": {"class": 1.25}}}
    lines = format_unseen({"alignment": held, "unseen": unseen}).splitlines()
    assert lines[3].split() == ["class_ceiling", "0.333", "0.402", "-"]

