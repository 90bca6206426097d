"""The species table and the Oxford 102 class and split sizes."""

from __future__ import annotations

import numpy as np

from ganforge.data.synthetic_flowers import species


def test_102_distinct_species_with_readable_distinct_names():
    table = species.all_species()
    assert len(table) == 102 and len(set(table)) == 102
    names = species.class_names()
    assert len(set(names)) == 102
    assert all(len(n.split()) >= 4 and n.isascii() for n in names)
    assert names[0] == table[0].name and table[0].petal_colour in names[0]
    for s in table:  # the disc always stands out from the petals
        assert s.petal_count in species.COUNTS and s.petal_shape in species.SHAPES
        assert species._contrast(s.petal_colour, s.centre_colour) >= species.MIN_CONTRAST
    for attribute in ("petal_colour", "centre_colour", "petal_count", "petal_shape"):
        assert {getattr(s, attribute) for s in table} == set(species.VALUES[attribute])


def test_class_and_split_sizes_are_oxford_102s():
    labels, splits = species.labels_and_splits()
    assert len(labels) == 8189
    assert np.bincount(labels)[1:].tolist() == list(species.CLASS_SIZES)
    assert {k: len(v) for k, v in splits.items()} == {"trnid": 1020, "valid": 1020,
                                                      "tstid": 6149}
    every = np.sort(np.concatenate(list(splits.values())))
    assert every.tolist() == list(range(1, 8190))  # each image in exactly one split
    for key in ("trnid", "valid"):
        assert set(np.bincount(labels[splits[key] - 1])[1:].tolist()) == {10}


def test_sizes_equal_the_real_label_and_split_files(real_data_root):
    from ganforge.data.captioned import flowers

    root = real_data_root / "flowers102-meta"
    real = flowers.read_labels(root, 102)
    labels, splits = species.labels_and_splits()
    assert np.bincount(real)[1:].tolist() == np.bincount(labels)[1:].tolist()
    for key in ("trnid", "valid", "tstid"):
        assert len(flowers.read_mat(root / "setid.mat", key)) == len(splits[key])
