"""Data sets for ganforge: IDX files, the registry of known data sets, locating and loading."""

from ganforge.data.dataset import ImageData
from ganforge.data.dispatch import check, list_datasets, load_dataset
from ganforge.data.idx import read_idx, write_idx
from ganforge.data.locate import find_files
from ganforge.data.registry import DATASETS

__all__ = [
    "DATASETS",
    "ImageData",
    "check",
    "find_files",
    "list_datasets",
    "load_dataset",
    "read_idx",
    "write_idx",
]
