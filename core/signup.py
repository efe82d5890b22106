"""Creating an instance: the request form, its confirmation link, the new admin.

The flow of the seed's producer notice (shared/seeds/000): someone fills the creation form
(admin e-mail twice, the collective's name, website, short description, whether it wants the
cash register, acceptance of the terms, a domain among the network's base domains, a slug
proposed from the name). :meth:`Signups.request` validates it and returns every error by field
(nothing is stored then), or stores the request inside a single-use e-mailed link.
:meth:`Signups.confirm` consumes the link and, in one write, creates the instance, the user
and their admin role; the caller then sends the second e-mail confirming the admin account.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

import msgspec

from core.accounts import AccountError, Accounts, Role, User, normalize_email
from core.i18n import N_
from core.instances import Instance, InstanceError, InstanceKind, Instances, validate_slug
from core.login_links import LoginLinks
from core.store import Tx

__all__ = ["SignupError", "SignupForm", "Signups", "propose_slug"]

PURPOSE = "create-instance"
WEBSITE_RE = re.compile(r"^https?://[^\s/$.?#][^\s]*$", re.I)


class SignupForm(msgspec.Struct, kw_only=True):
    """What the creation form asks (strings as typed; validated by :meth:`Signups.check`)."""

    email: str = ""
    email_confirm: str = ""
    name: str = ""
    website: str = ""
    description: str = ""
    kind: str = InstanceKind.ASSOCIATION.value
    wants_cash_register: bool = False
    accepts_terms: bool = False
    domain: str = ""
    slug: str = ""


class SignupError(ValueError):
    """The form has errors: ``errors`` maps each field to its message (an English msgid)."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


def propose_slug(name: str) -> str:
    """A slug from a name: 'Les Goulues, Pâtes du Cotentin' -> 'les-goulues-pates-du-cotentin'."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")
    return slug[:63].rstrip("-")


class Signups:
    """Validate creation requests, e-mail their link, create the instance on confirmation."""

    def __init__(
        self,
        instances: Instances,
        accounts: Accounts,
        links: LoginLinks,
        base_domains: list[str],
    ) -> None:
        self.instances = instances
        self.accounts = accounts
        self.links = links
        self.base_domains = base_domains

    def check(self, form: SignupForm) -> SignupForm:
        """The cleaned form, or :class:`SignupError` with every field's problem at once."""
        errors: dict[str, str] = {}
        cleaned: dict[str, Any] = {}
        try:
            cleaned["email"] = normalize_email(form.email)
        except AccountError:
            errors["email"] = N_("Enter a valid e-mail address.")
        if "email" not in errors and form.email_confirm.strip().lower() != cleaned["email"]:
            errors["email_confirm"] = N_("The two e-mail addresses differ.")
        name = " ".join(form.name.split())
        if not name:
            errors["name"] = N_("Give the name of your collective.")
        elif len(name) > 120:
            errors["name"] = N_("120 characters at most.")
        website = form.website.strip()
        if website and not WEBSITE_RE.match(website):
            errors["website"] = N_("Enter an address starting with http:// or https://.")
        description = form.description.strip()
        if len(description) > 500:
            errors["description"] = N_("500 characters at most.")
        if form.kind not in {k.value for k in InstanceKind}:
            errors["kind"] = N_("Choose a kind of collective.")
        if not form.accepts_terms:
            errors["accepts_terms"] = N_("You must accept the terms of use.")
        if form.domain not in self.base_domains:
            errors["domain"] = N_("Choose one of the proposed domains.")
        slug = form.slug.strip().lower() or propose_slug(name)
        try:
            validate_slug(slug)
            if self.instances.get(slug) is not None:
                errors["slug"] = N_("This address is already taken; choose another.")
        except InstanceError:
            errors["slug"] = N_("Use lowercase letters, digits and hyphens (63 at most).")
        if errors:
            raise SignupError(errors)
        return msgspec.structs.replace(
            form,
            email=cleaned["email"],
            email_confirm=cleaned["email"],
            name=name,
            website=website,
            description=description,
            slug=slug,
        )

    def request(self, form: SignupForm, *, ip: str = "") -> tuple[SignupForm, str]:
        """Validate and store the request in a link; returns (clean form, link secret)."""
        clean = self.check(form)
        secret = self.links.issue(
            clean.email, purpose=PURPOSE, ip=ip, data=msgspec.to_builtins(clean)
        )
        return clean, secret

    def confirm(self, tx: Tx, secret: str) -> tuple[Instance, User]:
        """Inside a write: consume the link, create the instance, the user and the admin role.

        Raises ``LinkError`` for a bad link, ``InstanceError`` if the slug was taken since.
        """
        link = self.links.consume(tx, secret, purpose=PURPOSE)
        form = msgspec.convert(link.data, SignupForm)
        records = self.instances.records
        if records.get(tx.txn, form.slug) is not None:
            raise InstanceError("slug", "this address was taken in the meantime")
        instance = Instance(
            slug=form.slug,
            name=form.name,
            kind=InstanceKind(form.kind),
            description=form.description,
            website=form.website,
            base_domain=form.domain,
            wants_cash_register=form.wants_cash_register,
            created_at=self.accounts.clock(),
        )
        records.put(tx, instance)
        user = self.accounts.ensure_user(tx, form.email)
        self.accounts.grant(tx, instance.slug, user.id, Role.ADMIN)
        return instance, user
