"""User-facing errors: bilingual messages and the exit code a script can rely on."""

from __future__ import annotations

EXIT_OK = 0
EXIT_FAILURE = 1  # an unexpected failure (a bug): reported with a traceback hint
EXIT_USAGE = 2  # the user's input cannot be used: bad file, bad config, unknown id
EXIT_UNDELIVERED = 3  # `kehu alerts run`: some notifications failed (recorded, retried later)


class KehuError(Exception):
    """An error caused by the user's input; shown without a traceback."""

    exit_code = EXIT_USAGE

    def __init__(self, zh: str, en: str | None = None, *, exit_code: int | None = None) -> None:
        super().__init__(en or zh)
        self.zh = zh
        self.en = en or zh
        if exit_code is not None:
            self.exit_code = exit_code

    def message(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en


class ConfigError(KehuError):
    """`kehu.toml` is missing or invalid."""


class NotFoundError(KehuError):
    """An id or a table the user named does not exist."""


class AccessDenied(KehuError):
    """The current user's role may not see or do this."""
