"""An import in bounded batches: a file as `[ingest] batch_rows`-row `RawTable`s, and the tally
of what the batches found (read and blank rows, findings, unmapped columns).

Parquet is streamed (one batch in memory at a time); CSV and spreadsheets are read whole
(their text is what the reader holds) and cut into zero-copy slices, so the cleaning, the
checks and the load, whose intermediate columns are what an import's peak is made of, see
one batch at a time. Row numbers stay the file's: a batch carries its rows' own numbers.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pyarrow as pa

from kehu.errors import KehuError
from kehu.ingest.raw import RawTable, int64_array
from kehu.ingest.reasons import FINDINGS
from kehu.ingest.result import Finding, Progress

EXAMPLES = 5  # examples kept per finding, as `prepare` keeps per batch
PER_FILE = frozenset({"columns_combined"})  # counts columns, not rows: the same in every batch


def slices(raw: RawTable, rows: int) -> Iterator[RawTable]:
    """`raw` in slices of `rows` rows (at least one, possibly empty); the rows the reader
    could not split (malformed, truncated) go with the first."""
    for start in range(0, max(raw.num_rows, 1), rows):
        yield replace(
            raw,
            table=raw.table.slice(start, rows),
            row_numbers=raw.row_numbers.slice(start, rows),
            malformed=raw.malformed if start == 0 else [],
            truncated=raw.truncated if start == 0 else [],
        )


def parquet_batches(
    path: Path, rows: int, progress: Progress | None = None
) -> tuple[RawTable, Iterator[RawTable]]:
    """(the file's header as an empty `RawTable`, its rows in batches of `rows`). Parquet keeps
    its column types; the header is the schema (row 1), data from row 2."""
    import pyarrow.parquet as pq

    try:
        pf = pq.ParquetFile(path)
    except (pa.ArrowInvalid, OSError) as exc:
        raise _unreadable(path, exc) from None
    headers = list(pf.schema_arrow.names)
    names = [f"c{i}" for i in range(len(headers))]
    total = pf.metadata.num_rows
    head = RawTable(
        table=pf.schema_arrow.empty_table().rename_columns(names),
        headers=headers,
        row_numbers=pa.array([], pa.int64()),
        file_format="parquet",
        header_row=1,
    )

    def batches() -> Iterator[RawTable]:
        first = 2
        empty = True
        try:
            for batch in pf.iter_batches(batch_size=rows):
                empty = False
                table = pa.Table.from_batches([batch]).rename_columns(names)
                yield replace(head, table=table, row_numbers=_numbers(first, table.num_rows))
                first += table.num_rows
                if progress:
                    progress("read", first - 2, total)
        except (pa.ArrowInvalid, OSError) as exc:
            raise _unreadable(path, exc) from None
        if empty:
            yield head

    return head, batches()


def _numbers(first: int, n: int) -> pa.Array:
    return int64_array(np.arange(first, first + n))


def _unreadable(path: Path, exc: Exception) -> KehuError:
    return KehuError(f"无法读取 Parquet 文件 {path}: {exc}", f"cannot read Parquet {path}: {exc}")


@dataclass
class Tally:
    """What the batches of one file found, added up as if the file were one batch."""

    read: int = 0
    blank_rows: int = 0
    unmapped: set[str] = field(default_factory=set)
    _findings: dict[tuple[str, str | None], Finding] = field(default_factory=dict)

    def add(self, read: int, blank_rows: int, findings: list[Finding], unmapped: set[str]) -> None:
        self.read += read
        self.blank_rows += blank_rows
        self.unmapped |= unmapped
        for f in findings:
            key = (f.code, f.column)
            seen = self._findings.get(key)
            self._findings[key] = f if seen is None else _merged(seen, f)

    @property
    def findings(self) -> list[Finding]:
        """In the order first found; blank rows (a whole-file count) last, as `prepare` does."""
        found = list(self._findings.values())
        return [f for f in found if f.code != "blank_rows"] + [
            f for f in found if f.code == "blank_rows"
        ]


def _merged(a: Finding, b: Finding) -> Finding:
    if a.code in PER_FILE:
        return a
    count = a.count + b.count
    examples = tuple(dict.fromkeys([*a.examples, *b.examples]))[:EXAMPLES]
    zh, en = FINDINGS.pair(a.code, count=count, **dict(a.params))
    return replace(a, count=count, examples=examples, text_zh=zh, text_en=en)
