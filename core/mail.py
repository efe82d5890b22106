"""Sending e-mail: an outbox directory by default, SMTP when configured.

Mail is an adapter at the edge: services build a :class:`Message` and hand it to a
:class:`Mailer`. Two mailers exist:

- :class:`OutboxMailer` (the embedded default) writes each message as an ``.eml`` file in
  ``<data>/outbox``, readable by any mail client; in demo mode it also prints the message's
  links on the console, so a person trying the demo can log in without a mail server;
- :class:`SmtpMailer` speaks SMTP (plain, STARTTLS or implicit TLS, with optional
  credentials) to the server named in the settings.

A mailer that fails raises :class:`MailError` with the reason; callers tell the person (an
unsent login link simply expires unused).
"""

from __future__ import annotations

import re
import smtplib
import ssl
import time
import uuid
from collections.abc import Callable
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from typing import Protocol

import msgspec

__all__ = [
    "MailError",
    "MailSettings",
    "Mailer",
    "Message",
    "OutboxMailer",
    "SmtpMailer",
    "make_mailer",
]

LINK_RE = re.compile(r"https?://[^\s<>\"]*[^\s<>\".,;:!?)»]")
DEFAULT_SENDER = "tirelire <noreply@localhost>"


class MailError(RuntimeError):
    """A message could not be delivered to the mail server or the outbox."""


class Message(msgspec.Struct, frozen=True, kw_only=True):
    """One e-mail: plain text, optionally with an HTML alternative."""

    to: str
    subject: str
    text: str
    html: str | None = None

    def links(self) -> list[str]:
        """Every http(s) link in the text body, in order."""
        return LINK_RE.findall(self.text)


class MailSettings(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Where mail goes. ``backend`` is ``outbox`` (default) or ``smtp``."""

    backend: str = "outbox"
    sender: str = DEFAULT_SENDER
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 25
    #: ``none``, ``starttls`` or ``tls`` (implicit TLS, usually port 465)
    smtp_security: str = "none"
    smtp_username: str = ""
    smtp_password: str = ""
    smtp_timeout: float = 10.0


class Mailer(Protocol):
    """Anything that can send a :class:`Message`."""

    def send(self, message: Message) -> None:
        """Deliver ``message`` or raise :class:`MailError`."""


def _email(message: Message, sender: str) -> EmailMessage:
    mail = EmailMessage()
    mail["From"] = sender
    mail["To"] = message.to
    mail["Subject"] = message.subject
    mail["Date"] = formatdate(localtime=False)
    mail["Message-ID"] = make_msgid(domain=sender.rsplit("@", 1)[-1].strip("> ") or None)
    mail.set_content(message.text)
    if message.html is not None:
        mail.add_alternative(message.html, subtype="html")
    return mail


class OutboxMailer:
    """Writes each message as an ``.eml`` file in a directory (the embedded default)."""

    def __init__(
        self,
        directory: str | Path,
        *,
        sender: str = DEFAULT_SENDER,
        echo: Callable[[str], None] | None = None,
    ) -> None:
        self.directory = Path(directory)
        self.sender = sender
        self.echo = echo

    def send(self, message: Message) -> None:
        """Write the message to the outbox; echo its links when an echo function is set."""
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            name = f"{time.time_ns():020d}-{uuid.uuid4().hex[:8]}.eml"
            tmp = self.directory / (name + ".tmp")
            tmp.write_bytes(bytes(_email(message, self.sender)))
            tmp.rename(self.directory / name)
        except OSError as exc:
            raise MailError(f"could not write to the outbox {self.directory}: {exc}") from exc
        if self.echo is not None:
            for link in message.links():
                self.echo(f"[mail to {message.to}] {message.subject}: {link}")


class SmtpMailer:
    """Delivers messages to an SMTP server (plain, STARTTLS or implicit TLS)."""

    def __init__(self, settings: MailSettings, *, tls_context: ssl.SSLContext | None = None):
        if settings.smtp_security not in {"none", "starttls", "tls"}:
            raise ValueError("smtp_security must be 'none', 'starttls' or 'tls'")
        self.settings = settings
        self.tls_context = tls_context or ssl.create_default_context()

    def send(self, message: Message) -> None:
        """Open a connection, authenticate if configured, send, close."""
        s = self.settings
        try:
            client: smtplib.SMTP
            if s.smtp_security == "tls":
                client = smtplib.SMTP_SSL(
                    s.smtp_host, s.smtp_port, timeout=s.smtp_timeout, context=self.tls_context
                )
            else:
                client = smtplib.SMTP(s.smtp_host, s.smtp_port, timeout=s.smtp_timeout)
            with client:
                if s.smtp_security == "starttls":
                    client.starttls(context=self.tls_context)
                if s.smtp_username:
                    client.login(s.smtp_username, s.smtp_password)
                client.send_message(_email(message, s.sender))
        except (OSError, smtplib.SMTPException) as exc:
            raise MailError(f"SMTP {s.smtp_host}:{s.smtp_port}: {exc}") from exc


def make_mailer(
    settings: MailSettings, outbox: str | Path, *, echo: Callable[[str], None] | None = None
) -> Mailer:
    """The mailer the settings ask for: SMTP, or the outbox (with ``echo`` in demo mode)."""
    if settings.backend == "smtp":
        return SmtpMailer(settings)
    if settings.backend == "outbox":
        return OutboxMailer(outbox, sender=settings.sender, echo=echo)
    raise ValueError(f"mail backend must be 'outbox' or 'smtp', not {settings.backend!r}")
