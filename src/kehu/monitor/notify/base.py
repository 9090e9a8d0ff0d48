"""What every channel shares: secrets from config or env, one send attempt, an outcome.

A channel turns a digest into one or more platform messages (split to the platform's size
limit) and sends one message per `send()` call; retries, backoff, rate limits and the delivery
log live in `kehu.monitor.dispatch`. Secrets (signing keys, robot keys in URLs, passwords) never
reach a log line or an error: `scrub()` removes them.
"""

from __future__ import annotations

import os
import re
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx

from kehu.config import ChannelSettings
from kehu.monitor.digest import Digest


@dataclass
class Outcome:
    """The result of one attempt to send one message."""

    ok: bool
    retryable: bool = False
    http_status: int | None = None
    error: str | None = None
    retry_after: float | None = None


class ChannelConfigError(Exception):
    """The channel cannot send at all (a missing env var, no recipient): not retried."""


class Channel(ABC):
    """A configured notification channel."""

    type: str = ""

    def __init__(
        self,
        name: str,
        cfg: ChannelSettings,
        *,
        people: dict[str, Any] | None = None,
        client: httpx.Client | None = None,
        env: dict[str, str] | None = None,
    ) -> None:
        self.name = name
        self.cfg = cfg
        self.people = people or {}
        self.env = os.environ if env is None else env
        self.client = client

    # ---- secrets ---------------------------------------------------------------------------
    def _from_env(self, var: str | None, what: str) -> str | None:
        if not var:
            return None
        value = self.env.get(var)
        if not value:
            raise ChannelConfigError(f"channel {self.name}: {what} env var {var} is not set")
        return value

    @property
    def url(self) -> str:
        url = self._from_env(self.cfg.url_env, "url") or self.cfg.url
        if not url:
            raise ChannelConfigError(f"channel {self.name}: no url")
        return url

    @property
    def secret(self) -> str | None:
        return self._from_env(self.cfg.secret_env, "secret") or self.cfg.secret

    def secrets(self) -> list[str]:
        """Every secret value this channel knows (to scrub from logs)."""
        found = []
        for var in (self.cfg.secret_env, self.cfg.url_env, self.cfg.password_env):
            if var and self.env.get(var):
                found.append(self.env[var])
        found += [s for s in (self.cfg.secret, self.cfg.url) if s]
        return found

    def target(self) -> str:
        """Where messages go, safe to log: scheme://host/path without query or secrets."""
        try:
            parts = urlsplit(self.url)
        except ChannelConfigError:
            return f"{self.type}:{self.name}"
        path = re.sub(r"/hook/[^/]+$", "/hook/***", parts.path)
        return f"{parts.scheme}://{parts.netloc}{path}"

    def scrub(self, text: str) -> str:
        for secret in sorted(self.secrets(), key=len, reverse=True):
            if len(secret) >= 4:
                text = text.replace(secret, "***")
        text = re.sub(r"([?&](?:key|access_token|token|sign|secret)=)[^&\s'\"]+", r"\1***", text)
        return text

    def mobiles(self, owner: str) -> list[str]:
        if not self.cfg.send_to_owner or not owner:
            return []
        person = self.people.get(owner)
        mobile = getattr(person, "mobile", None)
        return [mobile] if mobile else []

    # ---- sending ---------------------------------------------------------------------------
    @abstractmethod
    def messages(self, digest: Digest) -> list[Any]:
        """The platform messages for a digest (more than one when over the size limit)."""

    @abstractmethod
    def send(self, message: Any) -> Outcome:
        """One attempt to send one message."""

    def rate_keys(self, message: Any) -> list[str]:
        """What a message counts against in `notify.rate_limits`: the robot by default."""
        return [self.target()]

    def lang(self, default: str) -> str:
        return self.cfg.lang or default


class HttpChannel(Channel):
    """A channel that POSTs JSON to a webhook URL."""

    def request(self, message: Any) -> tuple[str, dict[str, Any], dict[str, str]]:
        """(url, json body, headers) for one attempt; signatures are made here, fresh."""
        return self.url, message, {}

    def interpret(self, response: httpx.Response) -> Outcome:
        """Most robots answer HTTP 200 with an error code in the body."""
        return http_outcome(response)

    def send(self, message: Any) -> Outcome:
        try:
            url, body, headers = self.request(message)
        except ChannelConfigError as exc:
            return Outcome(ok=False, retryable=False, error=self.scrub(str(exc)))
        return self.post(url, headers, json=body)

    def post(self, url: str, headers: dict[str, str], **payload: Any) -> Outcome:
        """POST `payload` (`json=` or `content=`); a network error is worth a retry, the
        answer is read by `interpret`, and no secret is left in an error."""
        client = self.client or httpx.Client()
        try:
            response = client.post(
                url, headers=headers, timeout=self.cfg.timeout_seconds, **payload
            )
        except httpx.HTTPError as exc:
            return Outcome(
                ok=False, retryable=True, error=self.scrub(f"{type(exc).__name__}: {exc}")
            )
        finally:
            if self.client is None:
                client.close()
        outcome = self.interpret(response)
        if outcome.error:
            outcome.error = self.scrub(outcome.error)
        return outcome


def http_outcome(response: httpx.Response) -> Outcome:
    """2xx ok; 429 and 5xx retryable (honouring Retry-After); other 4xx final."""
    status = response.status_code
    if 200 <= status < 300:
        return Outcome(ok=True, http_status=status)
    retry_after = None
    header = response.headers.get("retry-after")
    if header:
        try:
            retry_after = float(header)
        except ValueError:
            retry_after = None
    return Outcome(
        ok=False,
        retryable=status == 429 or status >= 500,
        http_status=status,
        error=f"HTTP {status}: {response.text[:200]}",
        retry_after=retry_after,
    )


def robot_outcome(
    response: httpx.Response,
    *,
    code_keys: tuple[str, ...],
    retry_codes: set[int],
    msg_keys: tuple[str, ...],
) -> Outcome:
    """WeCom / DingTalk / Feishu: HTTP 200 carrying `errcode`/`code`; 0 means delivered."""
    base = http_outcome(response)
    if not base.ok:
        return base
    try:
        data = response.json()
    except ValueError:
        return Outcome(
            ok=False,
            retryable=True,
            http_status=response.status_code,
            error=f"unreadable answer: {response.text[:200]}",
        )
    code = next((data[k] for k in code_keys if k in data), 0)
    if code in (0, None):
        return Outcome(ok=True, http_status=response.status_code)
    msg = next((data[k] for k in msg_keys if k in data), "")
    return Outcome(
        ok=False,
        retryable=int(code) in retry_codes,
        http_status=response.status_code,
        error=f"code {code}: {msg}",
    )
