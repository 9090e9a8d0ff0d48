"""The one exception cleaners raise for a value they cannot use."""

from __future__ import annotations


class CleanError(ValueError):
    """A value that cannot be cleaned; `code` is a reason code of `kehu.ingest.reasons`."""

    def __init__(self, code: str, value: object = None) -> None:
        super().__init__(f"{code}: {value!r}")
        self.code = code
        self.value = value
