"""SMS (短信) through Aliyun or Tencent Cloud: one templated text per digest, to every number.

An SMS may only carry an approved template whose variables are filled in; `template_params`
names what fills them, in order: `count` (alerts in the digest), `top` (the most severe
alert's title and customer), `title` (the digest title), `owner`, `severity` (of the most
severe alert). Aliyun gets them as JSON keyed by those names (so the template's variables
are named `${count}`, `${top}`, …), Tencent positionally ({1}, {2}, …). Each value is cut
to `param_max_chars`. Numbers: `recipients` plus the owner's `notify.people` mobile when
`send_to_owner` is on, normalised to E.164; rate limits count per number.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

from kehu.ingest.clean.phone import normalize_phone
from kehu.monitor.digest import Digest
from kehu.monitor.labels import severity_label
from kehu.monitor.notify import aliyun_sms, tencent_sms
from kehu.monitor.notify.base import ChannelConfigError, HttpChannel, Outcome

ENDPOINTS = {"aliyun": aliyun_sms.ENDPOINT, "tencent": tencent_sms.ENDPOINT}


@dataclass
class SmsMessage:
    mobiles: list[str]  # E.164
    params: dict[str, str]  # template variable -> value, in `template_params` order
    invalid: list[str]  # configured numbers that are not phone numbers (named in the log)


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: max(1, limit - 1)] + "…"


class SmsChannel(HttpChannel):
    type = "sms"

    @property
    def url(self) -> str:
        return (
            self._from_env(self.cfg.url_env, "url")
            or self.cfg.url
            or ENDPOINTS[self.cfg.provider or "aliyun"]
        )

    def numbers(self, owner: str) -> tuple[list[str], list[str]]:
        """(E.164 numbers without repeats, configured values that are not numbers)."""
        good: list[str] = []
        bad: list[str] = []
        for raw in [*self.cfg.recipients, *self.mobiles(owner)]:
            number = normalize_phone(raw)
            if number is None:
                bad.append(raw)
            elif number not in good:
                good.append(number)
        return good, bad

    def values(self, digest: Digest) -> dict[str, str]:
        top = digest.items[0]
        lang = digest.lang
        every = {
            "count": str(len(digest.items)),
            "top": f"{top.title(lang)} · {top.subject(lang)}",
            "title": digest.title(),
            "owner": digest.owner or "-",
            "severity": severity_label(top.severity, lang),
        }
        return {p: _cut(every[p], self.cfg.param_max_chars) for p in self.cfg.template_params}

    def messages(self, digest: Digest) -> list[SmsMessage]:
        mobiles, invalid = self.numbers(digest.owner)
        return [SmsMessage(mobiles, self.values(digest), invalid)]

    def rate_keys(self, message: Any) -> list[str]:
        return [f"{self.target()}#{m}" for m in message.mobiles] or [self.target()]

    def secrets(self) -> list[str]:
        found = super().secrets()
        var = self.cfg.key_id_env
        return found + ([self.env[var]] if var and self.env.get(var) else [])

    def send(self, message: Any) -> Outcome:
        if not message.mobiles:
            return Outcome(ok=False, error=f"channel {self.name}: no valid mobile number")
        try:
            url = self.url
            key_id = self._from_env(self.cfg.key_id_env, "key id") or ""
            secret = self.secret or ""
        except ChannelConfigError as exc:
            return Outcome(ok=False, error=self.scrub(str(exc)))
        if self.cfg.provider == "tencent":
            values = list(message.params.values())
            headers, body = tencent_sms.request(
                self.cfg, url, key_id, secret, message.mobiles, values
            )
        else:
            headers, body = aliyun_sms.request(
                self.cfg, key_id, secret, message.mobiles, message.params
            )
        outcome = self.post(url, headers, content=body)
        if outcome.ok and message.invalid:
            skipped = f"skipped numbers that are not phone numbers: {', '.join(message.invalid)}"
            outcome.error = "; ".join(filter(None, [outcome.error, skipped]))
        return outcome

    def interpret(self, response: httpx.Response) -> Outcome:
        api = tencent_sms if self.cfg.provider == "tencent" else aliyun_sms
        return api.outcome(response)
