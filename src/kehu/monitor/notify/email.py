"""SMTP email (smtplib): one message per digest, plain text with an HTML alternative.

Recipients are the channel's `recipients` plus the owner's address from `notify.people` when
`send_to_owner` is on. `smtp_security` = none | starttls | ssl; the password comes only from
the env var named by `password_env`.
"""

from __future__ import annotations

import html
import smtplib
import ssl
from email.message import EmailMessage
from typing import Any

from kehu.monitor.digest import Digest
from kehu.monitor.notify.base import Channel, ChannelConfigError, Outcome

RETRYABLE_SMTP = (smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError, OSError)


class EmailChannel(Channel):
    type = "email"

    def recipients(self, owner: str) -> list[str]:
        out = list(self.cfg.recipients)
        person = self.people.get(owner) if owner else None
        address = getattr(person, "email", None)
        if self.cfg.send_to_owner and address and address not in out:
            out.append(address)
        return out

    def target(self) -> str:
        return f"smtp://{self.cfg.smtp_host}:{self.cfg.smtp_port}"

    def messages(self, digest: Digest) -> list[EmailMessage]:
        to = self.recipients(digest.owner)
        msg = EmailMessage()
        msg["Subject"] = digest.title()
        msg["From"] = self.cfg.sender
        msg["To"] = ", ".join(to)
        text = "\n".join([digest.title(), "", *digest.lines(), "", digest.footer()])
        msg.set_content(text)
        rows = "".join(f"<li>{html.escape(line)}</li>" for line in digest.lines())
        msg.add_alternative(
            f"<html><body><h3>{html.escape(digest.title())}</h3><ul>{rows}</ul>"
            f"<p>{html.escape(digest.footer())}</p></body></html>",
            subtype="html",
        )
        return [msg]

    def send(self, message: Any) -> Outcome:
        if not message["To"]:
            return Outcome(ok=False, error=f"channel {self.name}: no recipients")
        try:
            password = self._from_env(self.cfg.password_env, "password")
        except ChannelConfigError as exc:
            return Outcome(ok=False, error=str(exc))
        cfg = self.cfg
        try:
            if cfg.smtp_security == "ssl":
                server: smtplib.SMTP = smtplib.SMTP_SSL(
                    cfg.smtp_host,
                    cfg.smtp_port,
                    timeout=cfg.timeout_seconds,
                    context=ssl.create_default_context(),
                )
            else:
                server = smtplib.SMTP(cfg.smtp_host, cfg.smtp_port, timeout=cfg.timeout_seconds)
            with server:
                if cfg.smtp_security == "starttls":
                    server.starttls(context=ssl.create_default_context())
                if cfg.username:
                    server.login(cfg.username, password or "")
                refused = server.send_message(message)
        except smtplib.SMTPResponseException as exc:
            return Outcome(
                ok=False,
                retryable=400 <= exc.smtp_code < 500,
                error=self.scrub(f"SMTP {exc.smtp_code}: {exc.smtp_error!r}"),
            )
        except (smtplib.SMTPException, *RETRYABLE_SMTP) as exc:
            return Outcome(
                ok=False, retryable=True, error=self.scrub(f"{type(exc).__name__}: {exc}")
            )
        if refused:
            return Outcome(ok=False, error=f"refused recipients: {sorted(refused)}")
        return Outcome(ok=True)
