"""The interface every delivery channel implements.

A channel knows one thing about a person — their address on it (an e-mail, a DingTalk userid) — and
opens a batch (one SMTP connection, one cached access token) in which it sends prepared messages one
person at a time. Each send answers with an `Outcome`: sent, failed with the error (the address is wrong:
fix it and send again), retry later with the reason (the server is unreachable or busy: the delivery
stays pending and nothing is lost) or skipped with the reason. A problem that stops the whole channel
(wrong credentials, not configured) raises `ChannelError`, whose message is shown to the user.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import ClassVar, Literal

OutcomeStatus = Literal["sent", "failed", "retry", "skipped"]


@dataclass(frozen=True)
class Message:
    """What one person is told, in their language; each channel renders it in its own format."""

    language: str
    recipient_name: str
    subject: str
    greeting: str
    lines: tuple[str, ...]  # the survey, the time it takes, the closing date; or the month's account
    notice_title: str
    notice: tuple[str, ...]  # what is and is not recorded; or how to drop a suggestion
    action: str  # the button's label
    url: str  # the person's own link; or the month's account
    reminder: bool


@dataclass(frozen=True)
class Outcome:
    status: OutcomeStatus
    detail: str | None = None
    channel_down: bool = False  # a retry because the whole channel is unreachable: stop the batch

    @classmethod
    def sent(cls) -> Outcome:
        return cls("sent")

    @classmethod
    def failed(cls, error: str) -> Outcome:
        return cls("failed", error)

    @classmethod
    def retry_later(cls, reason: str, channel_down: bool = False) -> Outcome:
        return cls("retry", reason, channel_down)

    @classmethod
    def skipped(cls, reason: str) -> Outcome:
        return cls("skipped", reason)


class ChannelError(Exception):
    """The channel cannot send anything (not configured, credentials refused); the message is for the user."""


class ChannelUnavailable(ChannelError):
    """The channel's server cannot be reached right now; what was not delivered is retried later."""


Send = Callable[[str, Message], Outcome]


class Channel(ABC):
    name: ClassVar[str]
    missing_address: ClassVar[str]  # why a person without an address on this channel is skipped

    @classmethod
    @abstractmethod
    def from_config(cls, config) -> Channel:
        """Build the channel from the app's settings."""

    @abstractmethod
    def address(self, person) -> str | None:
        """The person's address on this channel, or None."""

    @abstractmethod
    def batch(self) -> AbstractContextManager[Send]:
        """A context in which `send(address, message)` delivers one message; raises ChannelError."""
