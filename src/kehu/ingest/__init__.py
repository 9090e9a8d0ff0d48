"""Ingest: read real-world exports (GBK/UTF-8 CSV, XLSX, Parquet), map zh/en headers, clean
money/dates/phones/industries, validate, and load them into the store in one transaction.

Public API: `import_file`, `import_records`, `export_table`, `ImportResult`, `Reject`.
"""

from kehu.ingest.export import export_table, table_names
from kehu.ingest.importer import import_file, import_records, kinds
from kehu.ingest.result import Finding, ImportResult, Reject

__all__ = [
    "Finding",
    "ImportResult",
    "Reject",
    "export_table",
    "import_file",
    "import_records",
    "kinds",
    "table_names",
]
