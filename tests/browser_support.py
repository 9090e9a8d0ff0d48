"""Shared set-up of the Playwright tests: Debian's chromium, its flags, and the test marks."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
BROWSER_MARKS = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium (/usr/bin/chromium)"),
]


def sign_in(
    browser: Any,
    base: str,
    user: str,
    password: str,
    lang: str = "zh",
    *,
    width: int = 1440,
    locale: str | None = None,
) -> Any:
    """A new page signed in as `user` through the login form, in `lang`."""
    options: dict[str, Any] = {"viewport": {"width": width, "height": 900}}
    if locale:
        options["locale"] = locale
    page = browser.new_context(**options).new_page()
    page.goto(f"{base}/lang/{lang}?next=/login")
    page.fill("#username", user)
    page.fill("#password", password)
    page.click("#login-submit")
    page.wait_for_url(f"{base}/")
    return page


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def served(ws: Any) -> Iterator[str]:
    """The web app over `ws`, served by uvicorn on a free loopback port; yields its base URL.
    The workspace is closed when the server stops."""
    import uvicorn

    from kehu.web.app import create_app

    port = free_port()
    srv = uvicorn.Server(
        uvicorn.Config(create_app(ws), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.time() + 60
    while not srv.started and time.time() < deadline:
        time.sleep(0.05)
    assert srv.started, "uvicorn did not start"
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        srv.should_exit = True
        thread.join(30)
        ws.close()
