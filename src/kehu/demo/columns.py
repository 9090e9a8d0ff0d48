"""Compact string columns for big demo tables.

A numpy string array costs 4 bytes per character of its widest value per row: 10^7 order
ids alone would take ~0.5 GB. Repeated strings (customer ids, products, owners, ticket
texts) are kept as codes into a small array of values (`Cat`, written to Parquet as an Arrow
dictionary column); sequential ids as a prefix and a counter (`Seq`, built by Arrow kernels
when written). Plain numpy arrays are columns too.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc


@dataclass(frozen=True)
class Cat:
    """A categorical string column: `values[codes]`."""

    codes: np.ndarray
    values: np.ndarray

    def __len__(self) -> int:
        return len(self.codes)

    def __getitem__(self, idx: np.ndarray | slice) -> Cat:
        return Cat(self.codes[idx], self.values)

    def strings(self) -> np.ndarray:
        return np.asarray(self.values)[self.codes]

    def arrow(self) -> pa.Array:
        values = pa.array(np.asarray(self.values).astype(str), pa.string())
        return pa.DictionaryArray.from_arrays(pa.array(self.codes.astype(np.int32)), values)

    def map_values(self, mapping: dict[str, str]) -> Cat:
        return Cat(self.codes, np.array([mapping.get(str(v), str(v)) for v in self.values]))


@dataclass(frozen=True)
class Seq:
    """Ids `prefix` + zero-padded `start`, `start + 1`, … (`n` of them)."""

    prefix: str
    start: int
    width: int
    n: int

    def __len__(self) -> int:
        return self.n

    def strings(self) -> np.ndarray:
        numbers = np.arange(self.start, self.start + self.n).astype(str)
        return np.char.add(self.prefix, np.char.zfill(numbers, self.width))

    def arrow(self) -> pa.Array:
        numbers = pa.array(np.arange(self.start, self.start + self.n, dtype=np.int64))
        padded = pc.utf8_lpad(pc.cast(numbers, pa.string()), self.width, "0")
        return pc.binary_join_element_wise(self.prefix, padded, "")


Column = np.ndarray | Cat | Seq


def tight(arr: np.ndarray) -> np.ndarray:
    """A numpy string array with the width of its longest value (4 bytes per character per
    row: a U64 column of 4-character names wastes 94%)."""
    if arr.dtype.kind != "U" or arr.size == 0:
        return arr
    width = max(int(np.char.str_len(arr).max()), 1)
    return arr if arr.dtype.itemsize // 4 == width else arr.astype(f"U{width}")


def strings(col: Column) -> np.ndarray:
    """Any column as a numpy array of values (strings for Cat/Seq)."""
    return col if isinstance(col, np.ndarray) else col.strings()


def take(col: Column, idx: np.ndarray) -> Column:
    """Rows `idx` (indices or a boolean mask) of a column."""
    if isinstance(col, Seq):
        return strings(col)[idx]
    return col[idx]
