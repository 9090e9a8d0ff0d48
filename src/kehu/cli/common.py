"""Shared CLI plumbing: state, consoles, JSON output, opening the workspace as a `Kehu`."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import typer
from rich.console import Console

from kehu.app import Kehu
from kehu.errors import KehuError
from kehu.i18n import normalize_lang

console = Console()
err_console = Console(stderr=True)

_current: dict[str, str] = {}


@dataclass
class CliState:
    workspace: str | None = None
    lang_option: str | None = None
    _app: Kehu | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if self.lang_option:
            _current["lang"] = normalize_lang(self.lang_option)

    def open(self) -> Kehu:
        if self._app is None:
            self._app = Kehu.open(self.workspace)
            if not self.lang_option:
                _current["lang"] = self._app.lang
        return self._app

    @property
    def lang(self) -> str:
        if self.lang_option:
            return normalize_lang(self.lang_option)
        if self._app is not None:
            return self._app.lang
        return "zh"


def state(ctx: typer.Context) -> CliState:
    obj = ctx.find_root().obj
    if obj is None:
        obj = CliState()
        ctx.find_root().obj = obj
    return obj


def open_app(ctx: typer.Context) -> Kehu:
    """The workspace named by -w (or $KEHU_WORKSPACE, or the current folder)."""
    return state(ctx).open()


def lang_of(ctx: typer.Context) -> str:
    return state(ctx).lang


def state_lang() -> str:
    return _current.get("lang", "zh")


def use_lang(lang: str) -> None:
    """A command's own --lang: also the language of its error messages."""
    _current["lang"] = normalize_lang(lang)


def lang_option() -> Any:
    """A command's own `--lang` option (the same as the global one, given after the command)."""
    return typer.Option(None, "--lang", help="zh or en (same as the global --lang). 输出语言")


def command_lang(ctx: typer.Context, own: str | None) -> str:
    """The command's `--lang` if given, else the global one; errors speak it too."""
    lang = normalize_lang(own) if own else lang_of(ctx)
    use_lang(lang)
    return lang


def parse_date(text: str | None, option: str = "--as-of") -> date | None:
    """An option's YYYY-MM-DD date (None when not given); a clear error naming the option."""
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise KehuError(
            f"{option} 的日期格式应为 YYYY-MM-DD:{text}",
            f"{option} expects a date as YYYY-MM-DD: {text}",
        ) from None


def _default(o: Any) -> Any:
    if isinstance(o, Decimal):
        return str(o)
    if isinstance(o, datetime | date):
        return o.isoformat()
    if hasattr(o, "tolist"):
        return o.tolist()
    raise TypeError(f"not JSON serialisable: {type(o).__name__}")


def print_json(data: Any) -> None:
    """Machine-readable output on stdout (UTF-8, Chinese kept readable)."""
    sys.stdout.write(json.dumps(data, ensure_ascii=False, default=_default, indent=2) + "\n")
    sys.stdout.flush()


def history_option() -> Any:
    return typer.Option(
        False, "--history", help="List the stored runs instead of running a new one."
    )


def print_runs(runs: list[dict[str, Any]], as_json: bool, table: Callable[[], Any]) -> None:
    """A run log: JSON `{"runs": [...]}`, or the table `table()` draws."""
    if as_json:
        print_json({"runs": runs})
    else:
        console.print(table())


def answered(rows: Any, as_json: bool, empty: str) -> bool:
    """Whether a listing is done before its table: written as JSON, or said to be empty."""
    if as_json:
        print_json(rows)
        return True
    if not rows:
        console.print(empty)
        return True
    return False
