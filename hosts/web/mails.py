"""The e-mails the web host sends, written in the recipient's language.

Each function builds a :class:`core.mail.Message`; :func:`send` hands it to the network's
mailer and turns a delivery failure into a 503 page that says the mail could not leave.
"""

from __future__ import annotations

from litestar.exceptions import HTTPException

from core.accounts import ROLE_LABELS, Role
from core.i18n import gettext as _
from core.i18n import language
from core.mail import MailError, Message
from core.network import Network

__all__ = [
    "admin_ready_mail",
    "invitation_mail",
    "login_mail",
    "send",
    "signup_mail",
]


def send(network: Network, message: Message) -> None:
    """Send ``message``; a failure becomes a 503 with a reason people can act on."""
    try:
        network.mailer.send(message)
    except MailError as exc:
        raise HTTPException(
            status_code=503,
            detail=_("The e-mail could not be sent. Please try again in a few minutes."),
        ) from exc


def login_mail(to: str, url: str, place: str, lang: str) -> Message:
    """The login link."""
    with language(lang):
        return Message(
            to=to,
            subject=_("Your login link for %(place)s", place=place),
            text=_(
                "Hello,\n\nTo log in to %(place)s, open this link (valid 15 minutes, "
                "usable once):\n\n%(url)s\n\nIf you did not ask for it, ignore this e-mail: "
                "nobody can log in without it.\n",
                place=place,
                url=url,
            ),
        )


def signup_mail(to: str, url: str, name: str, address: str, lang: str) -> Message:
    """The confirmation link of a new instance."""
    with language(lang):
        return Message(
            to=to,
            subject=_("Confirm the creation of %(name)s", name=name),
            text=_(
                "Hello,\n\nYou asked to create the space of %(name)s, at %(address)s.\n"
                "To confirm, open this link (valid 15 minutes, usable once):\n\n%(url)s\n\n"
                "If you did not ask for it, ignore this e-mail: nothing will be created.\n",
                name=name,
                address=address,
                url=url,
            ),
        )


def admin_ready_mail(to: str, name: str, address: str, login_url: str, lang: str) -> Message:
    """The second e-mail: the admin account of a new instance is ready."""
    with language(lang):
        return Message(
            to=to,
            subject=_("Your admin account for %(name)s", name=name),
            text=_(
                "Hello,\n\nThe space of %(name)s is created and your e-mail address is its "
                "administrator's account.\n\nKeep its address as a bookmark: %(address)s\n\n"
                "There is no password: to come back, click 'Log in' there and a link is sent "
                "to you. This one logs you in now (valid 15 minutes, usable once):\n\n"
                "%(url)s\n",
                name=name,
                address=address,
                url=login_url,
            ),
        )


def invitation_mail(to: str, name: str, role: str, url: str, lang: str) -> Message:
    """An invitation to join an instance with a role."""
    with language(lang):
        return Message(
            to=to,
            subject=_("You are invited to %(name)s", name=name),
            text=_(
                "Hello,\n\nYou were given the role %(role)s in %(name)s.\nTo log in, open this "
                "link (valid 15 minutes, usable once):\n\n%(url)s\n\nLater, click 'Log in' on "
                "the space's page and a new link is sent to you.\n",
                name=name,
                role=_(ROLE_LABELS.get(Role(role), role)),
                url=url,
            ),
        )
