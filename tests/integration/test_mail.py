"""Mail: the outbox and SMTP (plain, STARTTLS, implicit TLS, AUTH) against a real server."""

from __future__ import annotations

import email
import email.policy

import pytest

from core.mail import MailError, MailSettings, Message, OutboxMailer, SmtpMailer, make_mailer
from tests.smtp_server import SmtpServer, free_port, self_signed_tls

MESSAGE = Message(
    to="nicolas@lesgoulues.fr",
    subject="Votre lien de connexion",
    text="Bonjour,\n\nCliquez : http://claf.localhost:8000/login/abc123\n",
    html="<p>Bonjour</p>",
)


def test_outbox_writes_a_readable_message_and_echoes_links(tmp_path):
    echoed: list[str] = []
    mailer = OutboxMailer(tmp_path / "outbox", echo=echoed.append)
    mailer.send(MESSAGE)
    (file,) = (tmp_path / "outbox").glob("*.eml")
    parsed = email.message_from_bytes(file.read_bytes(), policy=email.policy.default)
    assert parsed["To"] == "nicolas@lesgoulues.fr"
    assert parsed["Subject"] == "Votre lien de connexion"
    assert "http://claf.localhost:8000/login/abc123" in parsed.get_body(("plain",)).get_content()
    assert echoed == [
        "[mail to nicolas@lesgoulues.fr] Votre lien de connexion: "
        "http://claf.localhost:8000/login/abc123"
    ]


def test_outbox_failure_is_a_mail_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    with pytest.raises(MailError, match="outbox"):
        OutboxMailer(blocker / "outbox").send(MESSAGE)


def test_smtp_plain():
    with SmtpServer() as server:
        SmtpMailer(MailSettings(backend="smtp", smtp_port=server.port)).send(MESSAGE)
        (received,) = server.messages
    assert received["Subject"] == "Votre lien de connexion"
    assert received.get_body(("html",)).get_content().strip() == "<p>Bonjour</p>"


def test_smtp_starttls_with_credentials(tmp_path):
    server_tls, client_tls = self_signed_tls(tmp_path)
    settings = MailSettings(
        backend="smtp",
        smtp_security="starttls",
        smtp_username="tirelire",
        smtp_password="s3cret",
    )
    with SmtpServer(starttls=server_tls, credentials=("tirelire", "s3cret")) as server:
        mailer = SmtpMailer(
            msgspec_replace(settings, smtp_port=server.port), tls_context=client_tls
        )
        mailer.send(MESSAGE)
        assert len(server.messages) == 1
        bad = SmtpMailer(
            msgspec_replace(settings, smtp_port=server.port, smtp_password="wrong"),
            tls_context=client_tls,
        )
        with pytest.raises(MailError, match="SMTP"):
            bad.send(MESSAGE)
        assert len(server.messages) == 1


def test_smtp_implicit_tls(tmp_path):
    server_tls, client_tls = self_signed_tls(tmp_path)
    with SmtpServer(implicit_tls=server_tls) as server:
        settings = MailSettings(backend="smtp", smtp_security="tls", smtp_port=server.port)
        SmtpMailer(settings, tls_context=client_tls).send(MESSAGE)
        assert len(server.messages) == 1


def test_smtp_server_down_is_a_mail_error():
    settings = MailSettings(backend="smtp", smtp_port=free_port(), smtp_timeout=2)
    with pytest.raises(MailError, match=r"SMTP 127\.0\.0\.1"):
        SmtpMailer(settings).send(MESSAGE)


def test_make_mailer_picks_the_backend(tmp_path):
    assert isinstance(make_mailer(MailSettings(), tmp_path), OutboxMailer)
    assert isinstance(make_mailer(MailSettings(backend="smtp"), tmp_path), SmtpMailer)
    with pytest.raises(ValueError, match="backend"):
        make_mailer(MailSettings(backend="pigeon"), tmp_path)
    with pytest.raises(ValueError, match="smtp_security"):
        SmtpMailer(MailSettings(smtp_security="maybe"))


def msgspec_replace(settings, **changes):
    import msgspec

    return msgspec.structs.replace(settings, **changes)
