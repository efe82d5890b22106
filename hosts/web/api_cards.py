"""JSON API of cards: import, lookup, staff cards, and my own cards (``/api/...``).

| method and path | who | what |
|---|---|---|
| ``POST /api/cards/import`` | admin | import CSV text; report of rejected rows |
| ``GET /api/cards`` | admin | the cards this instance imported (with their QR codes) |
| ``GET /api/cards/by-uid/{uid}``, ``.../by-number/{number}`` | staff | one card (no QR code) |
| ``GET /api/cards/staff`` | staff | this instance's staff cards |
| ``POST /api/cards/staff`` | admin | tie a card to this instance as a staff card |
| ``POST /api/cards/staff/{id}/remove`` | admin | untie it |
| ``GET /api/me/cards`` | logged in | my cards |
| ``POST /api/me/cards`` | logged in | link a card (QR code; a number only for an empty card) |
| ``POST /api/me/cards/{id}/lost`` | logged in | declare it lost, with a replacement or not |

A card never shows its owner nor a balance here. ``/api/me/...`` acts for the person logged
in (a session): an API key acts for an instance, not a person, so it gets 401 there.
"""

from __future__ import annotations

from typing import Any

from litestar import Request, get, post
from litestar.exceptions import NotAuthorizedException, NotFoundException
from litestar.params import FromPath, JSONBody

from core.accounts import User
from core.i18n import N_
from core.wallets import Card, InvalidInput, Money, UnknownCard
from hosts.web.api_money_models import (
    CardOut,
    CardsImport,
    CardsImportReport,
    MyCardLink,
    MyCardLost,
    StaffCardIn,
    card_out,
)
from hosts.web.auth import user_of
from hosts.web.instances import network_of
from hosts.web.money_web import (
    ADMIN_API,
    ADMIN_ONLY,
    ADMIN_OPT,
    PERSON_API,
    STAFF,
    STAFF_OPT,
    login_guard,
    request_instance,
)

__all__ = ["CARD_API_ROUTES", "one_of"]

TAGS = ["money: cards"]
ADMIN_WRITE = ADMIN_API
PERSON = PERSON_API


def one_of(**named: str | None) -> tuple[str, str]:
    """The one field given among ``named`` (name, value); InvalidInput if none or several."""
    given = [(k, v.strip()) for k, v in named.items() if v is not None and v.strip()]
    if len(given) != 1:
        raise InvalidInput(" | ".join(named), N_("give exactly one of these fields"))
    return given[0]


def _found(card: Card | None, typed: str) -> Card:
    if card is None:
        raise UnknownCard(typed[:64])
    return card


@post("/api/cards/import", guards=ADMIN_WRITE, opt=ADMIN_OPT, tags=TAGS, status_code=200,
      sync_to_thread=False, request_max_body_size=3 * 1024 * 1024,
      summary="Import cards from CSV")  # fmt: skip
def api_cards_import(
    request: Request[Any, Any, Any], data: JSONBody[CardsImport]
) -> CardsImportReport:
    """Import ``uid,number[,qr_id]`` rows; each rejected row comes back with its line."""
    slug = request_instance(request).slug
    report = network_of(request).money.import_cards(data.csv, by_instance=slug)
    return CardsImportReport(
        imported=report.imported,
        rejected=report.rejected,
        cards=[card_out(c, with_qr=True) for c in report.cards],
    )


@get("/api/cards", guards=ADMIN_ONLY, opt=ADMIN_OPT, tags=TAGS, sync_to_thread=False,
     summary="Cards imported by this instance")  # fmt: skip
def api_cards(request: Request[Any, Any, Any]) -> list[CardOut]:
    """The cards this instance's admins imported, with the codes of their QR pages."""
    cards = network_of(request).money.cards.imported_by(request_instance(request).slug)
    return [card_out(c, with_qr=True) for c in sorted(cards, key=lambda c: c.number)]


@get("/api/cards/by-uid/{uid:str}", guards=STAFF, opt=STAFF_OPT, tags=TAGS,
     sync_to_thread=False, summary="A card by its UID")  # fmt: skip
def api_card_by_uid(request: Request[Any, Any, Any], uid: FromPath[str]) -> CardOut:
    """The card a reader read (its state and staff instances; never its QR code)."""
    return card_out(_found(network_of(request).money.cards.by_uid(uid), uid))


@get("/api/cards/by-number/{number:str}", guards=STAFF, opt=STAFF_OPT, tags=TAGS,
     sync_to_thread=False, summary="A card by its printed number")  # fmt: skip
def api_card_by_number(request: Request[Any, Any, Any], number: FromPath[str]) -> CardOut:
    """The card with this printed number (never its QR code)."""
    return card_out(_found(network_of(request).money.cards.by_number(number), number))


@get("/api/cards/staff", guards=STAFF, opt=STAFF_OPT, tags=TAGS, sync_to_thread=False,
     summary="Staff cards of this instance")  # fmt: skip
def api_staff_cards(request: Request[Any, Any, Any]) -> list[CardOut]:
    """The cards that open this instance's points of sale."""
    cards = network_of(request).money.cards.primary_cards(request_instance(request).slug)
    return [card_out(c) for c in cards]


@post("/api/cards/staff", guards=ADMIN_WRITE, opt=ADMIN_OPT, tags=TAGS, status_code=200,
      sync_to_thread=False, summary="Make a card a staff card here")  # fmt: skip
def api_staff_add(request: Request[Any, Any, Any], data: JSONBody[StaffCardIn]) -> CardOut:
    """Tie a card (by number or UID) to this instance's points of sale."""
    money = network_of(request).money
    field, value = one_of(card_number=data.card_number, card_uid=data.card_uid)
    found = money.cards.by_number(value) if field == "card_number" else money.cards.by_uid(value)
    card = _found(found, value)
    return card_out(money.cards.set_primary(card.id, request_instance(request).slug))


@post("/api/cards/staff/{card_id:str}/remove", guards=ADMIN_WRITE, opt=ADMIN_OPT, tags=TAGS,
      status_code=200, sync_to_thread=False, summary="Untie a staff card")  # fmt: skip
def api_staff_remove(request: Request[Any, Any, Any], card_id: FromPath[str]) -> CardOut:
    """The card no longer opens this instance's points of sale."""
    slug = request_instance(request).slug
    money = network_of(request).money
    card = money.cards.get(card_id)
    if card is None or slug not in card.primary_for:
        raise NotFoundException()
    return card_out(money.cards.set_primary(card.id, slug, enabled=False))


def _me(request: Request[Any, Any, Any]) -> User:
    user = user_of(request)
    if user is None:
        raise NotAuthorizedException()
    return user


def _link(money: Money, user: User, qr_id: str | None, number: str | None) -> Card:
    """Claim the card named by its QR code, or by its number when it holds no money."""
    field, value = one_of(qr_id=qr_id, number=number)
    if field == "qr_id":
        card = _found(money.cards.by_qr(value), value)
        return money.cards.claim(card.id, user.id)[0]
    card = _found(money.cards.by_number(value), value)
    return money.cards.claim(card.id, user.id, only_if_empty=True)[0]


@get("/api/me/cards", guards=[login_guard], tags=TAGS, sync_to_thread=False,
     summary="My cards")  # fmt: skip
def api_my_cards(request: Request[Any, Any, Any]) -> list[CardOut]:
    """The cards linked to my account (lost ones included)."""
    cards = network_of(request).money.cards.of_user(_me(request).id)
    return [card_out(c, with_qr=True) for c in sorted(cards, key=lambda c: c.number)]


@post("/api/me/cards", guards=PERSON, tags=TAGS, status_code=200, sync_to_thread=False,
      summary="Link a card to my account")  # fmt: skip
def api_my_card_link(request: Request[Any, Any, Any], data: JSONBody[MyCardLink]) -> CardOut:
    """Link a card: its balance joins my wallet. A card holding money needs its QR code."""
    card = _link(network_of(request).money, _me(request), data.qr_id, data.number)
    return card_out(card, with_qr=True)


@post("/api/me/cards/{card_id:str}/lost", guards=PERSON, tags=TAGS, status_code=200,
      sync_to_thread=False, summary="Declare one of my cards lost")  # fmt: skip
def api_my_card_lost(
    request: Request[Any, Any, Any], card_id: FromPath[str], data: JSONBody[MyCardLost]
) -> CardOut:
    """The card can no longer pay; a replacement (QR code or number) is linked to me."""
    user = _me(request)
    money = network_of(request).money
    card = money.cards.get(card_id)
    if card is None or card.owner != user.id:
        raise NotFoundException()
    replacement = None
    if data.replacement_qr_id or data.replacement_number:
        replacement = _link(money, user, data.replacement_qr_id, data.replacement_number)
        if replacement.id == card.id:
            raise InvalidInput("replacement", N_("a card cannot replace itself"))
    lost, _fused = money.cards.declare_lost(
        card.id, replacement_id=replacement.id if replacement else None, author=user.email
    )
    return card_out(lost, with_qr=True)


CARD_API_ROUTES = [
    api_cards_import,
    api_cards,
    api_card_by_uid,
    api_card_by_number,
    api_staff_cards,
    api_staff_add,
    api_staff_remove,
    api_my_cards,
    api_my_card_link,
    api_my_card_lost,
]
