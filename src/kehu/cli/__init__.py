"""The `kehu` command line: thin commands over `Workspace` (typer + rich).

Each area registers its commands from its own module (`register(app)`), so a command lives
next to the others of its floor. Exit codes: 0 ok, 1 unexpected failure, 2 unusable input,
3 `alerts run` could not deliver every notification.
"""

from __future__ import annotations

import importlib
import sys

import typer

from kehu.app import out_of_memory
from kehu.cli.common import console, err_console, state_lang
from kehu.cli.root import app
from kehu.errors import EXIT_FAILURE, EXIT_USAGE, KehuError

# Modules that add commands to `app`, in the order they appear in --help.
COMMAND_MODULES = (
    "kehu.cli.core",
    "kehu.cli.ingest",
    "kehu.cli.demo",
    "kehu.cli.quality",
    "kehu.cli.analyze",
    "kehu.cli.backtest",
    "kehu.cli.forecast",
    "kehu.cli.recommend",
    "kehu.cli.cohorts",
    "kehu.cli.churn",
    "kehu.cli.plan",
    "kehu.cli.effect",
    "kehu.cli.economics",
    "kehu.cli.market",
    "kehu.cli.satisfaction",
    "kehu.cli.accounts",
    "kehu.cli.monitor",
    "kehu.cli.web",
)


def _register_all() -> None:
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(app)


_register_all()


def _is_usage_error(exc: BaseException) -> bool:
    """A click usage error (unknown option or command, bad value), from click or typer's copy."""
    return any(cls.__name__ == "ClickException" for cls in type(exc).__mro__) and hasattr(
        exc, "show"
    )


def main() -> None:
    """Console-script entry: run the app, turning user errors into clean messages."""
    try:
        code = app(standalone_mode=False)
        if isinstance(code, int) and code:  # click returns typer.Exit's code in this mode
            sys.exit(code)
    except KehuError as exc:
        err_console.print(f"[bold red]✗[/] {exc.message(state_lang())}")
        sys.exit(exc.exit_code)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except typer.Abort:
        err_console.print("aborted")
        sys.exit(EXIT_FAILURE)
    except KeyboardInterrupt:
        err_console.print("interrupted")
        sys.exit(130)
    except SystemExit:
        raise
    except Exception as exc:  # a bug: say so plainly, keep the trace for a report
        memory = out_of_memory(exc)
        if memory is not None:
            err_console.print(f"[bold red]✗[/] {memory.message(state_lang())}")
            sys.exit(memory.exit_code)
        if _is_usage_error(exc):
            exc.show()  # type: ignore[attr-defined]
            sys.exit(EXIT_USAGE)
        err_console.print_exception(max_frames=8)
        console.print("[red]kehu hit an internal error; please report it with the trace above.[/]")
        sys.exit(EXIT_FAILURE)
