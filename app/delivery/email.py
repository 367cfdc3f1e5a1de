"""E-mail: multipart text + HTML messages over SMTP, each connection reused for a whole batch.

Built on the standard library (smtplib, email.message.EmailMessage) rather than Flask-Mailman. A batch
reuses its connections (one per sending thread, DELIVERY_CONCURRENCY) for thousands of messages, opens
one again when the server drops it, and classifies each recipient's SMTP reply (5xx: that address
failed; 4xx or no connection: retry later). smtplib exposes all of that directly; Flask-Mailman would
add a dependency and hide the replies behind Django's backend API (figures: benchmarks/delivery.py).
"""

from __future__ import annotations

import smtplib
import ssl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import formataddr, make_msgid

from flask import current_app

from app.delivery.channel import Channel, ChannelError, Message, Outcome, Send

CONNECT_TIMEOUT = 10


@dataclass(frozen=True)
class SmtpSettings:
    server: str | None
    port: int
    use_tls: bool
    use_ssl: bool
    username: str | None
    password: str | None
    sender: str | None


class EmailChannel(Channel):
    name = "email"
    missing_address = "没有邮箱"

    def __init__(self, settings: SmtpSettings):
        self.settings = settings

    @classmethod
    def from_config(cls, config) -> EmailChannel:
        return cls(
            SmtpSettings(
                server=config.get("MAIL_SERVER"),
                port=int(config.get("MAIL_PORT") or 25),
                use_tls=bool(config.get("MAIL_USE_TLS")),
                use_ssl=bool(config.get("MAIL_USE_SSL")),
                username=config.get("MAIL_USERNAME"),
                password=config.get("MAIL_PASSWORD"),
                sender=config.get("MAIL_FROM"),
            )
        )

    def address(self, person) -> str | None:
        return person.email or None

    @contextmanager
    def batch(self) -> Iterator[Send]:
        if not self.settings.server or not self.settings.sender:
            raise ChannelError("未配置邮件服务器：请设置 MAIL_SERVER 和 MAIL_FROM")
        connections = _Connections(self.settings, self.settings.server, self.settings.sender)
        try:
            yield connections.send
        finally:
            connections.close_all()


def build_email(message: Message, sender: str, recipient: str) -> EmailMessage:
    email = EmailMessage(policy=SMTP)  # CRLF line ends, as SMTP sends them (no conversion per message)
    email["Subject"] = _one_line(message.subject)
    email["From"] = sender
    email["To"] = formataddr((_one_line(message.recipient_name), recipient))
    email["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    email["Content-Language"] = "zh-CN" if message.language == "zh" else message.language
    email.set_content(_render("delivery/email.txt", message))
    email.add_alternative(_render("delivery/email.html", message), subtype="html")
    return email


class _Connections:
    """One SMTP session per sending thread, opened on its first message (and again after the server drops
    it) and reused for every later one; all are closed at the end of the batch."""

    def __init__(self, settings: SmtpSettings, server: str, sender: str):
        self.settings, self.server, self.sender = settings, server, sender
        self.local = threading.local()
        self.lock = threading.Lock()
        self.opened: list[smtplib.SMTP] = []

    @property
    def smtp(self) -> smtplib.SMTP | None:
        return getattr(self.local, "smtp", None)

    @smtp.setter
    def smtp(self, value: smtplib.SMTP | None) -> None:
        self.local.smtp = value
        if value is not None:
            with self.lock:
                self.opened.append(value)

    def _open(self) -> smtplib.SMTP:
        s = self.settings
        context = ssl.create_default_context()
        smtp: smtplib.SMTP
        if s.use_ssl:
            smtp = smtplib.SMTP_SSL(self.server, s.port, timeout=CONNECT_TIMEOUT, context=context)
        else:
            smtp = smtplib.SMTP(self.server, s.port, timeout=CONNECT_TIMEOUT)
            if s.use_tls:
                smtp.starttls(context=context)
        if s.username:
            try:
                smtp.login(s.username, s.password or "")
            except smtplib.SMTPAuthenticationError as exc:
                smtp.close()
                raise ChannelError(f"邮件服务器拒绝了用户名或密码：{_reply(exc)}") from exc
        return smtp

    def send(self, address: str, message: Message) -> Outcome:
        email = build_email(message, self.sender, address)
        for attempt in (1, 2):  # a connection the server closed is opened once more
            try:
                if self.smtp is None:
                    self.smtp = self._open()
                self.smtp.send_message(email, from_addr=self.settings.sender, to_addrs=[address])
                return Outcome.sent()
            except smtplib.SMTPRecipientsRefused as exc:
                code, reply = next(iter(exc.recipients.values()))
                text = f"{code} {_text(reply)}"
                return Outcome.retry_later(text) if 400 <= code < 500 else Outcome.failed(text)
            except smtplib.SMTPSenderRefused as exc:
                raise ChannelError(f"邮件服务器拒绝了发件人 {self.settings.sender}：{_reply(exc)}") from exc
            except smtplib.SMTPResponseException as exc:
                self.close()
                if 400 <= exc.smtp_code < 500:
                    return Outcome.retry_later(_reply(exc))
                return Outcome.failed(_reply(exc))
            except smtplib.SMTPServerDisconnected as exc:
                self.close()
                if attempt == 2:
                    return Outcome.retry_later(f"邮件服务器断开了连接：{exc}", channel_down=True)
            except (OSError, smtplib.SMTPException) as exc:
                self.close()
                return Outcome.retry_later(
                    f"无法连接邮件服务器 {self.settings.server}:{self.settings.port}：{exc}", True
                )
        return Outcome.retry_later("邮件服务器断开了连接", channel_down=True)

    def close(self) -> None:
        """Drop this thread's connection (the server closed it, or answered an error)."""
        if self.smtp is not None:
            _quit(self.smtp)
            with self.lock:
                if self.smtp in self.opened:
                    self.opened.remove(self.smtp)
            self.local.smtp = None

    def close_all(self) -> None:
        with self.lock:
            opened, self.opened = self.opened, []
        for smtp in opened:
            _quit(smtp)


def _quit(smtp: smtplib.SMTP) -> None:
    try:
        smtp.quit()
    except (OSError, smtplib.SMTPException):
        smtp.close()


def _render(name: str, message: Message) -> str:
    """The template alone: a message needs no request context processors (which read the session and the
    database), only the already composed texts."""
    return current_app.jinja_env.get_template(name).render(message=message)


def _one_line(text: str) -> str:
    """Header values from the directory or a title, with any line break (header injection) removed."""
    return " ".join(text.split())


def _text(reply) -> str:
    return reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)


def _reply(exc: smtplib.SMTPResponseException) -> str:
    return f"{exc.smtp_code} {_text(exc.smtp_error)}"
