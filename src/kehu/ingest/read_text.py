"""CSV/TSV with pyarrow: encoding, delimiter, header row, Excel row numbers."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

from kehu.errors import KehuError
from kehu.ingest.encoding import Encoding, detect_encoding
from kehu.ingest.raw import HEAD_BYTES, HeaderScore, RawTable, choose_header, int64_array
from kehu.ingest.result import Progress
from kehu.spreadsheet import unquote_column

# The stdlib csv module (header scan, repair of odd rows) stops at 128 KiB per field; the
# per-field limit kehu applies is `ingest.max_field_chars`, checked when the rows are cleaned.
csv.field_size_limit(max(csv.field_size_limit(), (1 << 31) - 1))
BLOCK = 8 << 20  # pyarrow block; grown when one row is larger (see _pyarrow_read)
MAX_BLOCK = 1 << 30
EXCERPT = 200  # characters of a broken row kept in its reject


class _CountingReader(io.RawIOBase):
    """A binary file that reports bytes read (for the progress bar) and ends at `limit`
    (before the incomplete character of a truncated file)."""

    def __init__(
        self, fh: io.BufferedReader, total: int, progress: Progress | None, limit: int
    ) -> None:
        self._fh, self._total, self._progress, self._done = fh, total, progress, 0
        self._left = limit

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")[: max(self._left, 0)]
        if not len(view):
            return 0
        n = self._fh.readinto(view)
        self._left -= n or 0
        self._done += n or 0
        if self._progress:
            self._progress("read", self._done, self._total)
        return n or 0


def _sniff_delimiter(lines: list[str]) -> str:
    candidates = [",", "\t", ";", "|"]
    best, best_count = ",", 0
    sample = [line for line in lines if line.strip()][:20]
    for cand in candidates:
        counts = [len(next(csv.reader([line], delimiter=cand))) - 1 for line in sample]
        common = max(set(counts), key=counts.count) if counts else 0
        if common > best_count:
            best, best_count = cand, common
    return best


def _decode_head(path: Path, enc: Encoding) -> str:
    import codecs

    with path.open("rb") as fh:
        fh.seek(enc.bom_length)
        raw = fh.read(HEAD_BYTES)
    return codecs.getincrementaldecoder(enc.name)(errors="replace").decode(raw, final=False)


def read_delimited(
    path: Path,
    *,
    score: HeaderScore,
    encoding: str | None = None,
    delimiter: str | None = None,
    header_row: int | None = None,
    scan_rows: int = 10,
    progress: Progress | None = None,
) -> RawTable:
    """Read a CSV/TSV with pyarrow (multi-threaded; re-read single-threaded only when some
    rows have the wrong number of fields, to learn their row numbers)."""
    enc = detect_encoding(path, encoding)
    head = _decode_head(path, enc)
    lines = head.splitlines()
    if not any(line.strip() for line in lines):
        raise KehuError(f"{path} 是空文件", f"{path} is empty")
    if delimiter is None:
        delimiter = "\t" if path.suffix.lower() in (".tsv", ".tab") else _sniff_delimiter(lines)
    scan: list[list[str]] = []
    for row in csv.reader(io.StringIO(head, newline=""), delimiter=delimiter):
        scan.append(row)
        if len(scan) >= scan_rows:
            break
    idx = choose_header(scan, score, header_row)
    headers = [h.strip() for h in scan[idx]]
    names = [f"c{i}" for i in range(len(headers))]
    table, bad = _pyarrow_read(path, enc, delimiter, idx + 1, names, True, progress)
    if bad:
        table, bad = _pyarrow_read(path, enc, delimiter, idx + 1, names, False, None)
    table = pa.table({n: unquote_column(table.column(n).combine_chunks()) for n in names})
    first = idx + 2
    numbers, malformed, extra = _number_rows(table.num_rows, bad, first, len(names), delimiter)
    if extra:
        padded = pa.table(
            {n: pa.array([r[i] for _, r in extra], pa.string()) for i, n in enumerate(names)}
        )
        table = pa.concat_tables([table, padded])
        numbers = np.concatenate([numbers, np.array([num for num, _ in extra], dtype=np.int64)])
        order = np.argsort(numbers, kind="stable")
        table, numbers = table.take(int64_array(order)), numbers[order]
    truncated: list[tuple[int, str]] = []
    if len(numbers) and _cut_short(path, enc, numbers[-1], extra, malformed):
        last = table.slice(table.num_rows - 1).to_pylist()[0]
        text = delimiter.join("" if v is None else str(v) for v in last.values())
        truncated.append((int(numbers[-1]), text[:EXCERPT]))
        table, numbers = table.slice(0, table.num_rows - 1), numbers[:-1]
    return RawTable(
        table=table,
        headers=headers,
        row_numbers=int64_array(numbers),
        file_format="tsv" if delimiter == "\t" else "csv",
        encoding=enc.label,
        header_row=idx + 1,
        malformed=malformed,
        truncated=truncated,
    )


def _cut_short(
    path: Path,
    enc: Encoding,
    last: int,
    repaired: list[tuple[int, list[str]]],
    malformed: list[tuple[int, int, str]],
) -> bool:
    """Was the file cut off inside its last row? Yes when it ends in an incomplete
    character; or, without a final line break, when the last row lacks cells or a quoted
    cell is never closed (an odd number of quote characters in the file)."""
    if malformed and malformed[-1][0] > last:
        return False  # the last row is already rejected as malformed
    if enc.tail:
        return True
    newline = "\n".encode(enc.name)
    end = path.stat().st_size
    with path.open("rb") as fh:
        fh.seek(max(enc.bom_length, end - len(newline)))
        if fh.read() == newline:
            return False
        if repaired and repaired[-1][0] == last:
            return True
        if newline != b"\n":
            return False  # quote counting needs an ASCII-compatible encoding
        fh.seek(enc.bom_length)
        quotes = 0
        while chunk := fh.read(4 << 20):
            quotes += chunk.count(b'"')
    return quotes % 2 == 1


def _pyarrow_read(
    path: Path,
    enc: Encoding,
    delimiter: str,
    skip: int,
    names: list[str],
    threads: bool,
    progress: Progress | None,
) -> tuple[pa.Table, list[tuple[int | None, int, str]]]:
    size = path.stat().st_size
    block = BLOCK
    while True:
        try:
            return _pyarrow_once(path, enc, delimiter, skip, names, threads, progress, size, block)
        except pa.ArrowInvalid as exc:
            # One row larger than a block: read again with bigger blocks (the row is then
            # rejected by the field limit, not the whole file).
            if "straddling" not in str(exc) or block >= MAX_BLOCK:
                raise KehuError(f"无法读取 {path}: {exc}", f"cannot read {path}: {exc}") from None
            block *= 4


def _pyarrow_once(
    path: Path,
    enc: Encoding,
    delimiter: str,
    skip: int,
    names: list[str],
    threads: bool,
    progress: Progress | None,
    size: int,
    block: int,
) -> tuple[pa.Table, list[tuple[int | None, int, str]]]:
    bad: list[tuple[int | None, int, str]] = []

    def on_bad(row: Any) -> str:
        bad.append((row.number, row.actual_columns, row.text))
        return "skip"

    with path.open("rb") as fh:
        fh.seek(enc.bom_length)
        source = _CountingReader(fh, size, progress, size - enc.bom_length - enc.tail)
        try:
            table = pacsv.read_csv(
                source,
                read_options=pacsv.ReadOptions(
                    use_threads=threads,
                    skip_rows=skip,
                    column_names=names,
                    encoding="utf8" if enc.name == "utf-8" else enc.name,
                    block_size=block,
                ),
                parse_options=pacsv.ParseOptions(
                    delimiter=delimiter,
                    newlines_in_values=True,
                    ignore_empty_lines=False,
                    invalid_row_handler=on_bad,
                ),
                convert_options=pacsv.ConvertOptions(
                    column_types={n: pa.string() for n in names},
                    strings_can_be_null=False,
                    quoted_strings_can_be_null=False,
                ),
            )
        except UnicodeDecodeError as exc:
            raise KehuError(
                f"{path} 含有不是 {enc.name} 编码的字节({exc.reason},位置 {exc.start});"
                "请用 --encoding 指定正确的编码",
                f"{path} has bytes that are not {enc.name} ({exc.reason} at {exc.start}); "
                "pass the right --encoding",
            ) from None
        except pa.ArrowInvalid as exc:
            if "straddling" in str(exc):
                raise
            if "invalid UTF8" in str(exc):
                raise KehuError(
                    f"{path} 含有不是 UTF-8 编码的字节;请用 --encoding 指定正确的编码(如 gbk)",
                    f"{path} has bytes that are not UTF-8; pass the right --encoding (e.g. gbk)",
                ) from None
            raise KehuError(f"无法读取 {path}: {exc}", f"cannot read {path}: {exc}") from None
    return table, bad


def _number_rows(
    n_good: int,
    bad: list[tuple[int | None, int, str]],
    first: int,
    width: int,
    delimiter: str,
) -> tuple[np.ndarray, list[tuple[int, int, str]], list[tuple[int, list[str]]]]:
    """Row numbers of the parsed rows, the malformed rows, and short/over-long rows that can
    be repaired (missing trailing cells; trailing empty cells)."""
    if not bad:
        return np.arange(first, first + n_good, dtype=np.int64), [], []
    bad_numbers = np.array([b[0] for b in bad], dtype=np.int64)
    total = n_good + len(bad)
    all_numbers = np.arange(first, first + total, dtype=np.int64)
    good = np.setdiff1d(all_numbers, bad_numbers, assume_unique=True)
    malformed: list[tuple[int, int, str]] = []
    extra: list[tuple[int, list[str]]] = []
    for number, fields, text in bad:
        cells = next(csv.reader([text], delimiter=delimiter), [])
        if len(cells) < width:
            extra.append((int(number or 0), cells + [""] * (width - len(cells))))
        elif not any(c.strip() for c in cells[width:]):
            extra.append((int(number or 0), cells[:width]))
        else:
            malformed.append((int(number or 0), fields, text))
    return good, malformed, extra
