"""A card's public page (its QR code) and "Ma carte" in my account.

- ``GET /carte/{qr_id}``: what the QR code printed on a card opens. It shows the card's
  number and what the visitor may do: log in, link this anonymous card to their account
  (``POST``: the card's balance fuses into their wallet), or read that the card is theirs,
  belongs to someone else, or was declared lost. It **never logs anyone in** and **never
  shows a balance**: whoever holds or photographs a card must not learn what is on it.
- ``GET /mon-compte/carte``: my cards; link one by its QR code (the code or the scanned
  address) or its printed number; declare one lost, with a replacement card or without (what
  the card held stays in my wallet: a linked card is only a key to it).

A printed number can be read, or guessed, by anyone, so a card named by its number (or its
UID) is linked only if it holds no money (``Cards.claim(only_if_empty=True)``, checked in the
claim's own write); a card holding money needs its QR code, a 128-bit random id.
"""

from __future__ import annotations

import re
from typing import Any

from litestar import Request, Response, get, post
from litestar.exceptions import NotAuthorizedException, NotFoundException
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from core.accounts import User
from core.i18n import N_
from core.i18n import gettext as _
from core.wallets import Card, Money, MoneyError, UnknownCard
from hosts.web.auth import user_of
from hosts.web.instances import network_of
from hosts.web.money_forms import form_errors, form_status
from hosts.web.money_web import login_guard, money_page

__all__ = ["CARD_ROUTES", "find_card"]

_QR_URL_RE = re.compile(r"/carte/([A-Za-z0-9_-]{8,64})/?$")

_NOTICES = {
    "linked": N_("The card is linked to your account: what it held joined your wallet."),
    "lost": N_("The card is declared lost: it can no longer pay nor be credited."),
    "replaced": N_("The card is declared lost and replaced: the new card is linked to you."),
}


def find_card(money: Money, typed: str) -> tuple[Card, bool]:
    """The card a person names: by QR code (code or address), printed number or UID.

    Returns the card and whether it was named by its QR code (the only secret of the three).
    UnknownCard when nothing matches.
    """
    text = typed.strip()
    url = _QR_URL_RE.search(text)
    qr = url.group(1) if url else text
    card = money.cards.by_qr(qr)
    if card is not None:
        return card, True
    card = money.cards.by_number(text) or money.cards.by_uid(text)
    if card is None:
        raise UnknownCard(text[:64])
    return card, False


def _me(request: Request[Any, Any, Any]) -> User:
    user = user_of(request)
    if user is None:
        raise NotAuthorizedException()
    return user


def _notice(ok: str | None) -> str:
    template = _NOTICES.get(ok or "")
    return _(template) if template else ""


@get("/carte/{qr_id:str}", include_in_schema=False, sync_to_thread=False)
def card_page(
    request: Request[Any, Any, Any], qr_id: FromPath[str], ok: FromQuery[str | None] = None
) -> Template:
    """The page a card's QR code opens: its number and what the visitor may do."""
    card = network_of(request).money.cards.by_qr(qr_id)
    if card is None:
        raise NotFoundException(detail=_("No card has this code."))
    user = user_of(request)
    return money_page(
        request,
        "card_public.html",
        card=card,
        me=user,
        mine=user is not None and card.owner == user.id,
        notice=_notice(ok),
        suite=f"/carte/{card.qr_id}",
    )


@post("/carte/{qr_id:str}", guards=[login_guard], include_in_schema=False, sync_to_thread=False)
def card_claim(request: Request[Any, Any, Any], qr_id: FromPath[str]) -> Response[Any]:
    """Link the card to the logged-in person (its QR code proves they hold it)."""
    money = network_of(request).money
    card = money.cards.by_qr(qr_id)
    if card is None:
        raise NotFoundException(detail=_("No card has this code."))
    user = _me(request)
    try:
        money.cards.claim(card.id, user.id)
    except MoneyError as exc:
        return money_page(
            request,
            "card_public.html",
            status_code=form_status(exc),
            card=card,
            me=user,
            mine=False,
            error=next(iter(form_errors(exc).values())),
            suite=f"/carte/{qr_id}",
        )
    return Redirect(f"/carte/{card.qr_id}?ok=linked")


def _my_cards_page(
    request: Request[Any, Any, Any],
    *,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    notice: str = "",
    status: int = 200,
) -> Template:
    user = _me(request)
    money = network_of(request).money
    cards = sorted(money.cards.of_user(user.id), key=lambda c: (c.lost, c.number))
    numbers = {c.id: c.number for c in cards}
    for card in cards:
        if card.replaced_by and card.replaced_by not in numbers:
            replacement = money.cards.get(card.replaced_by)
            numbers[card.replaced_by] = replacement.number if replacement else ""
    return money_page(
        request,
        "account_cards.html",
        status_code=status,
        cards=cards,
        numbers=numbers,
        errors=errors or {},
        values=values or {},
        notice=notice,
    )


@get("/mon-compte/carte", guards=[login_guard], include_in_schema=False, sync_to_thread=False)
def my_cards(request: Request[Any, Any, Any], ok: FromQuery[str | None] = None) -> Template:
    """My cards, the form to link one, and "declare lost"."""
    return _my_cards_page(request, notice=_notice(ok))


def _link(money: Money, user: User, typed: str) -> Card:
    """Link the card named by ``typed`` to ``user`` (by number: only an empty card)."""
    if not typed.strip():
        raise UnknownCard("")
    card, by_qr = find_card(money, typed)
    claimed, _fused = money.cards.claim(card.id, user.id, only_if_empty=not by_qr)
    return claimed


@post("/mon-compte/carte/lier", guards=[login_guard], include_in_schema=False)
async def my_cards_link(request: Request[Any, Any, Any]) -> Response[Any]:
    """Link a card by its QR code or its printed number."""
    user = _me(request)
    form = await request.form()
    typed = str(form.get("card", ""))
    try:
        _link(network_of(request).money, user, typed)
    except MoneyError as exc:
        errors = form_errors(exc, fields={"card_id": "card", "user_id": "card"})
        return _my_cards_page(request, errors=errors, values={"card": typed}, status=400)
    return Redirect("/mon-compte/carte?ok=linked")


@post("/mon-compte/carte/{card_id:str}/perdue", guards=[login_guard], include_in_schema=False)
async def my_card_lost(request: Request[Any, Any, Any], card_id: FromPath[str]) -> Response[Any]:
    """Declare one of my cards lost, optionally naming the card that replaces it."""
    user = _me(request)
    money = network_of(request).money
    card = money.cards.get(card_id)
    if card is None or card.owner != user.id:
        raise NotFoundException()
    form = await request.form()
    typed = str(form.get("replacement", "")).strip()
    key = f"replacement-{card.id}"
    try:
        replacement = _link(money, user, typed) if typed else None
        if replacement is not None and replacement.id == card.id:
            return _my_cards_page(
                request,
                errors={key: _("A card cannot replace itself.")},
                values={key: typed},
                status=400,
            )
        money.cards.declare_lost(
            card.id, replacement_id=replacement.id if replacement else None, author=user.email
        )
    except MoneyError as exc:
        message = next(iter(form_errors(exc).values()))
        return _my_cards_page(request, errors={key: message}, values={key: typed}, status=400)
    return Redirect(f"/mon-compte/carte?ok={'replaced' if typed else 'lost'}")


CARD_ROUTES = [card_page, card_claim, my_cards, my_cards_link, my_card_lost]
