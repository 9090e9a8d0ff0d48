"""Notification channels: one module per channel type, all sharing `base.Channel`."""

from __future__ import annotations

from kehu.monitor.notify.base import Channel, Outcome
from kehu.monitor.notify.channels import make_channel

__all__ = ["Channel", "Outcome", "make_channel"]
