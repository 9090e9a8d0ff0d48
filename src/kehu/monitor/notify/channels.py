"""The channel types a `[notify.channels.NAME]` section can name, and their classes."""

from __future__ import annotations

from typing import Any

from kehu.config import ChannelSettings
from kehu.monitor.notify.base import Channel
from kehu.monitor.notify.dingtalk import DingTalkChannel
from kehu.monitor.notify.email import EmailChannel
from kehu.monitor.notify.feishu import FeishuChannel
from kehu.monitor.notify.slack import SlackChannel
from kehu.monitor.notify.sms import SmsChannel
from kehu.monitor.notify.webhook import WebhookChannel
from kehu.monitor.notify.wecom import WeComChannel

CHANNEL_TYPES: dict[str, type[Channel]] = {
    "email": EmailChannel,
    "webhook": WebhookChannel,
    "wecom": WeComChannel,
    "dingtalk": DingTalkChannel,
    "feishu": FeishuChannel,
    "slack": SlackChannel,
    "sms": SmsChannel,
}


def make_channel(name: str, cfg: ChannelSettings, **kwargs: Any) -> Channel:
    """Instantiate the channel class for `cfg.type`."""
    return CHANNEL_TYPES[cfg.type](name, cfg, **kwargs)
