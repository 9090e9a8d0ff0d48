"""Read CSV/TSV, XLSX/XLS/ODS and Parquet files (and pushed records) into a `RawTable`.

Row numbers are what a user sees in Excel: the header row is row 1 when it is the first row;
title rows above the header, blank lines and multi-line cells are counted the same way.
The header row is found among the first rows as the one whose cells best match the kind's
header aliases (title rows such as “2024年客户清单” are skipped).
"""

from kehu.ingest.raw import RawTable, cell_text, choose_header, file_format, int64_array
from kehu.ingest.read_other import read_excel, read_parquet, records_table
from kehu.ingest.read_text import read_delimited

__all__ = [
    "RawTable",
    "cell_text",
    "choose_header",
    "file_format",
    "int64_array",
    "read_delimited",
    "read_excel",
    "read_parquet",
    "records_table",
]
