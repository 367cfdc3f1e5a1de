"""Delivering survey invitations and reminders to people: one module per channel behind one interface.

`channel.py` is the interface (a channel turns a prepared `Message` for one person into an `Outcome`),
`email.py` and `dingtalk.py` are the channels, `content.py` composes what every message says, and
`service.py` decides who gets what, claims each delivery once and keeps the delivery log. A new channel
(Feishu, WeCom) is one new module and one line in `CHANNELS`; nothing else knows a channel's protocol.
"""

from __future__ import annotations

import importlib

CHANNELS = {
    "email": "app.delivery.email:EmailChannel",
    "dingtalk": "app.delivery.dingtalk:DingTalkChannel",
}


def channel_for(name: str, config):
    """The channel called `name`, built from the app's config."""
    if name not in CHANNELS:
        raise ValueError(f"unknown channel {name!r}")
    module, cls = CHANNELS[name].split(":")
    return getattr(importlib.import_module(module), cls).from_config(config)
