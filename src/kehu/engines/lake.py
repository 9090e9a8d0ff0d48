"""Where a canonical table lives outside the workspace file: `[engine.tables]` locations.

A location is a Parquet file, a glob (`lake/orders/*.parquet`) or a folder of Parquet files,
read recursively (a path without a file suffix is a folder, even before it exists); a folder
holding `_delta_log` is a Delta table, and `delta:` / `iceberg:` prefixes name Delta / Iceberg
tables explicitly. Relative paths are under the workspace.
"""

from __future__ import annotations

import fnmatch
import uuid
from dataclasses import dataclass
from datetime import datetime
from glob import iglob
from pathlib import Path
from typing import Literal

from sqlglot import exp

from kehu.errors import KehuError

Format = Literal["parquet", "delta", "iceberg"]
SCANS: dict[Format, str] = {"parquet": "read_parquet", "delta": "delta_scan",
                            "iceberg": "iceberg_scan"}  # fmt: skip
WILD = set("*?[")


@dataclass(frozen=True)
class Location:
    """One table's place: the path (absolute or a URL) and its format."""

    table: str
    path: str
    format: Format

    @classmethod
    def of(cls, table: str, text: str, root: Path) -> Location:
        fmt: Format = "parquet"
        for prefix in ("delta", "iceberg"):
            if text.startswith(f"{prefix}:"):
                fmt, text = prefix, text[len(prefix) + 1 :]
        if "://" not in text:
            path = Path(text).expanduser()
            path = path if path.is_absolute() else root / path
            if fmt == "parquet" and (path / "_delta_log").is_dir():
                fmt = "delta"
            elif fmt == "parquet" and (text.endswith("/") or path.is_dir() or not path.suffix):
                path = path / "**" / "*.parquet"
            text = str(path)
        return cls(table, text, fmt)

    @property
    def setting(self) -> str:
        return f"[engine.tables] {self.table}"

    def empty(self) -> bool:
        """A local location with no file yet (a lake folder before its first import)."""
        if "://" in self.path:
            return False
        if self.format != "parquet":
            return not Path(self.path).exists()
        return next(iglob(self.path, recursive=True), None) is None

    def scan(self) -> exp.Expression:
        """The DuckDB FROM item reading this location: a table function, or the workspace
        table's empty shape while the location holds no file."""
        if self.empty():
            shape = exp.select("*").from_(exp.table_(self.table, db="main")).limit(0)
            return exp.Subquery(this=shape)
        args: list[exp.Expression] = [exp.Literal.string(self.path)]
        if self.format == "parquet":  # files appended later may add nullable columns
            args.append(exp.EQ(this=exp.column("union_by_name"), expression=exp.true()))
        return exp.Table(this=exp.Anonymous(this=SCANS[self.format], expressions=args))

    def new_file(self) -> Path:
        """A fresh Parquet file inside this location (what an import appends), or an error
        saying why this location cannot take one."""
        path = Path(self.path)
        parts = path.parts
        fixed = next((i for i, p in enumerate(parts) if WILD & set(p)), None)
        if self.format != "parquet" or "://" in self.path or fixed is None:
            raise KehuError(
                f"{self.setting} = {self.path!r} 不是可追加的 Parquet 文件夹或通配路径"
                '(例如 "lake/orders/" 或 "lake/orders/*.parquet")',
                f"{self.setting} = {self.path!r} is not a Parquet folder or glob kehu can"
                ' append to (e.g. "lake/orders/" or "lake/orders/*.parquet")',
            )
        folder = Path(*parts[:fixed])
        stamp = datetime.now().strftime("%Y%m%dT%H%M%S")
        target = folder / f"part-{stamp}-{uuid.uuid4().hex[:8]}.parquet"
        if not fnmatch.fnmatch(str(target), self.path.replace("**/", "*")):
            raise KehuError(
                f"{self.setting} = {self.path!r}:新文件 {target.name} 不会被这个路径读到",
                f"{self.setting} = {self.path!r}: a new file {target.name} would not match it",
            )
        folder.mkdir(parents=True, exist_ok=True)
        return target
