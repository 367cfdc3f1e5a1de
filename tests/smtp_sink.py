"""A real SMTP server on loopback (aiosmtpd) that keeps what it receives, for tests and the benchmark."""

from __future__ import annotations

import email
import email.policy
import threading
from dataclasses import dataclass, field
from email.message import EmailMessage

from aiosmtpd.controller import Controller

from tests.servers import free_port


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage

    def part(self, subtype: str) -> str:
        body = self.message.get_body(preferencelist=(subtype,))
        assert body is not None, f"no text/{subtype} part"
        return body.get_content()


@dataclass
class _Handler:
    keep: bool = True
    rejected: set[str] = field(default_factory=set)
    received: list[Received] = field(default_factory=list)
    count: int = 0
    connections: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        with self.lock:
            self.connections += 1
        session.host_name = hostname
        return responses

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.rejected:
            return f"550 5.1.1 <{address}>: Recipient address rejected: User unknown"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.count += 1
            if self.keep:
                parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
                self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), parsed))
        return "250 Message accepted for delivery"


class SmtpSink:
    """Start, stop (the server is down) and start again on the same port."""

    def __init__(self, keep: bool = True):
        self.port = free_port()
        self.handler = _Handler(keep=keep)
        self.controller: Controller | None = None

    def start(self) -> SmtpSink:
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)
        self.controller.start()
        return self

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    @property
    def received(self) -> list[Received]:
        return self.handler.received

    def to(self, address: str) -> list[Received]:
        return [r for r in self.received if address in r.rcpt_tos]
