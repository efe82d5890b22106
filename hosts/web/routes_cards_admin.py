"""Admin panel, "Cartes": CSV import with its report, the imported cards, staff cards.

Who may import cards: **an admin of any instance**. Cards are the network's (one card space,
valid everywhere), but they are bought and handed out by venues, so each venue's admin
registers its own batches. Importing creates anonymous, empty cards only (no money, no owner),
duplicates of a card already in the network are rejected row by row, and every card records
the instance that imported it: its admins see that list (number, state, QR page), nothing
about other instances' cards and no balance.

- ``GET /admin/cartes``: the import form, the cards this instance imported, its staff cards.
- ``POST /admin/cartes/import``: a CSV file (or pasted lines) ``uid,number[,qr_id]``; the page
  that follows reports how many cards were imported and each rejected row (line, reason).
- ``POST /admin/cartes/personnel``: tie a card (by printed number or UID) to this instance as
  a staff (primary) card: it opens this instance's points of sale.
  ``POST /admin/cartes/personnel/{card_id}/retirer`` unties it.
"""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from core.i18n import N_
from core.i18n import gettext as _
from core.wallets import ImportReport, MoneyError, UnknownCard
from hosts.web.instances import network_of
from hosts.web.money_forms import form_errors
from hosts.web.money_web import ADMIN_ONLY, ADMIN_OPT, money_page, request_instance

__all__ = ["CARD_ADMIN_ROUTES", "REJECT_REASONS"]

CSV_MAX_BYTES = 2 * 1024 * 1024

#: What people read for each reason a row of the CSV is rejected.
REJECT_REASONS = {
    "bad_row": N_("expected: uid, number and optionally the QR code"),
    "bad_hex": N_("the UID is not hexadecimal"),
    "wrong_length": N_("the UID must have 4 or 7 bytes (8 or 14 hex digits)"),
    "bad_number": N_("the printed number is empty or longer than 40 characters"),
    "bad_qr_id": N_("the QR code must have 8 to 64 letters, digits, - or _"),
    "duplicate_in_file": N_("an earlier row of the file has the same card"),
    "duplicate_in_store": N_("this card is already registered in the network"),
}


def _page(
    request: Request[Any, Any, Any],
    *,
    report: ImportReport | None = None,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    notice: str = "",
    status: int = 200,
) -> Template:
    instance = request_instance(request)
    cards = network_of(request).money.cards
    imported = sorted(cards.imported_by(instance.slug), key=lambda c: c.number)
    staff = sorted(cards.primary_cards(instance.slug), key=lambda c: c.number)
    reasons = {k: _(v) for k, v in REJECT_REASONS.items()}
    return money_page(
        request,
        "admin_cards.html",
        status_code=status,
        report=report,
        reasons=reasons,
        imported=imported,
        staff=staff,
        errors=errors or {},
        values=values or {},
        notice=notice,
    )


@get(
    "/admin/cartes", guards=ADMIN_ONLY, opt=ADMIN_OPT, include_in_schema=False, sync_to_thread=False
)
def cards_admin(request: Request[Any, Any, Any], ok: FromQuery[str | None] = None) -> Template:
    """The import form, this instance's imported cards and its staff cards."""
    notices = {
        "staff": _("The staff card is saved."),
        "untied": _("The card is no longer a staff card here."),
    }
    return _page(request, notice=notices.get(ok or "", ""))


@post(
    "/admin/cartes/import",
    guards=ADMIN_ONLY,
    opt=ADMIN_OPT,
    include_in_schema=False,
    request_max_body_size=CSV_MAX_BYTES + 64 * 1024,
)
async def cards_import(request: Request[Any, Any, Any]) -> Template:
    """Import a CSV of cards and show the report of rejected rows."""
    instance = request_instance(request)
    form = await request.form()
    pasted = str(form.get("lines", ""))
    upload = form.get("file")
    data = await upload.read() if isinstance(upload, UploadFile) else b""
    try:
        text = data.decode("utf-8-sig") if data else pasted
    except UnicodeDecodeError:
        errors = {"csv": _("The file must be a CSV text file encoded in UTF-8.")}
        return _page(request, errors=errors, values={"lines": pasted}, status=400)
    if not text.strip():
        errors = {"csv": _("Choose a CSV file, or paste its lines.")}
        return _page(request, errors=errors, values={"lines": pasted}, status=400)
    report = network_of(request).money.import_cards(text, by_instance=instance.slug)
    return _page(request, report=report)


@post("/admin/cartes/personnel", guards=ADMIN_ONLY, opt=ADMIN_OPT, include_in_schema=False)
async def staff_add(request: Request[Any, Any, Any]) -> Response[Any]:
    """Tie a card, named by its printed number or UID, to this instance as a staff card."""
    instance = request_instance(request)
    money = network_of(request).money
    form = await request.form()
    typed = str(form.get("card", "")).strip()
    try:
        card = money.cards.by_number(typed) or money.cards.by_uid(typed)
        if card is None:
            raise UnknownCard(typed[:64])
        money.cards.set_primary(card.id, instance.slug)
    except MoneyError as exc:
        errors = form_errors(exc, fields={"card_id": "card"})
        return _page(
            request,
            errors={"card": next(iter(errors.values()))},
            values={"card": typed},
            status=400,
        )
    return Redirect("/admin/cartes?ok=staff")


@post(
    "/admin/cartes/personnel/{card_id:str}/retirer",
    guards=ADMIN_ONLY,
    opt=ADMIN_OPT,
    include_in_schema=False,
    sync_to_thread=False,
)
def staff_remove(request: Request[Any, Any, Any], card_id: FromPath[str]) -> Response[Any]:
    """Untie a staff card from this instance (its other instances keep it)."""
    instance = request_instance(request)
    money = network_of(request).money
    card = money.cards.get(card_id)
    if card is None or instance.slug not in card.primary_for:
        raise NotFoundException()
    money.cards.set_primary(card.id, instance.slug, enabled=False)
    return Redirect("/admin/cartes?ok=untied")


CARD_ADMIN_ROUTES = [cards_admin, cards_import, staff_add, staff_remove]
