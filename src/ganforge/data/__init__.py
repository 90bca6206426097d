"""Data sets for ganforge: IDX files, the registry of known data sets, locating and loading."""

from ganforge.data.dataset import ImageData
from ganforge.data.dispatch import check, list_datasets, load_dataset
from ganforge.data.idx import read_idx, write_idx
from ganforge.data.locate import find_files
from ganforge.data.registry import DATASETS, DataSet, register_dataset, unregister_dataset

__all__ = [
    "DATASETS",
    "DataSet",
    "ImageData",
    "check",
    "find_files",
    "list_datasets",
    "load_dataset",
    "read_idx",
    "register_dataset",
    "unregister_dataset",
    "write_idx",
]
