"""Bounded parameter types shared by the API routes and the pages.

Every free value a route accepts has a bound here, so hostile input (a 20-digit page number,
a 5,000-character id) is a 422 that names the field, never a database error (a page number
past 2^63 overflowed DuckDB's BIGINT offset) or an OS error (a file name past 255 bytes).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Query

MAX_PAGE = 1_000_000  # × the page-size cap stays far inside a BIGINT offset
MAX_PAGE_SIZE = 10_000  # the hard bound; `[web] max_page_size` clamps further
MAX_TEXT = 500  # search text and filter values (comma-separated lists of several)
MAX_ID = 200  # customer, report, upload, user and token ids in paths
MAX_ROW_ID = 2**63 - 1  # integer ids (alerts, tasks) are BIGINT

Page = Annotated[int, Query(ge=1, le=MAX_PAGE)]
PageSize = Annotated[int | None, Query(ge=1, le=MAX_PAGE_SIZE)]
Text = Annotated[str | None, Query(max_length=MAX_TEXT)]
Word = Annotated[str, Query(max_length=40)]  # a status or kind code; the route checks the set
NextUrl = Annotated[str, Query(max_length=2000)]  # where to go after login or a language switch
PathId = Annotated[str, Path(min_length=1, max_length=MAX_ID)]
RowId = Annotated[int, Path(ge=1, le=MAX_ROW_ID)]
