"""What an import reports: `ImportResult`, its rejects and findings."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

# progress(stage, done, total): stage is read | clean | check | load; total may be None.
Progress = Callable[[str, int, int | None], None]


@dataclass(frozen=True)
class Reject:
    """One problem that kept a row out: row as numbered in the file (header = 1)."""

    row_number: int
    column: str | None
    value: str | None
    reason_code: str
    reason_zh: str
    reason_en: str

    def reason(self, lang: str) -> str:
        return self.reason_en if lang == "en" else self.reason_zh


@dataclass(frozen=True)
class Finding:
    """Something worth a look that did not stop a row (e.g. an unmatched industry)."""

    code: str
    column: str | None
    count: int
    examples: tuple[str, ...]
    text_zh: str
    text_en: str
    # What the texts were formatted with besides the count: an import in batches adds up the
    # counts of one finding and formats the texts again with the sum.
    params: tuple[tuple[str, object], ...] = ()

    def text(self, lang: str) -> str:
        return self.text_en if lang == "en" else self.text_zh


@dataclass
class ImportResult:
    import_id: str
    file: str | None
    kind: str
    source: str
    encoding: str | None
    file_format: str
    read: int = 0
    loaded: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0  # rows; one row may have several entries in `rejects`
    rejects_file: str | None = None
    unmapped_columns: list[str] = field(default_factory=list)
    rejects: list[Reject] = field(default_factory=list)
    status: str = "committed"  # committed | dry-run
    columns: dict[str, str] = field(default_factory=dict)  # file header -> column
    findings: list[Finding] = field(default_factory=list)
    header_row: int | None = None
    blank_rows: int = 0
    seconds: float = 0.0

    def to_json(self) -> dict[str, Any]:
        """The machine-readable summary (`kehu import --json`)."""
        return {
            "import_id": self.import_id,
            "read": self.read,
            "loaded": self.loaded,
            "inserted": self.inserted,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
            "rejects_file": self.rejects_file,
            "status": self.status,
            "file": self.file,
            "kind": self.kind,
            "source": self.source,
            "encoding": self.encoding,
            "file_format": self.file_format,
            "header_row": self.header_row,
            "blank_rows": self.blank_rows,
            "columns": self.columns,
            "unmapped_columns": self.unmapped_columns,
            "findings": [_finding_json(f) for f in self.findings],
            "rejects": [asdict(r) for r in self.rejects[:100]],
            "rejects_total": len(self.rejects),
            "seconds": round(self.seconds, 3),
        }


def _finding_json(f: Finding) -> dict[str, Any]:
    out = asdict(f) | {"examples": list(f.examples)}
    del out["params"]
    return out
