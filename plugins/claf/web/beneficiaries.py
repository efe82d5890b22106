"""The fund admins' pages for beneficiaries: list, register, import a CSV file, edit, stop.

Every route declares ``opt={"role": "admin"}`` (an admin of the request's fund). Forms carry
the CSRF token; a refused form is shown again with what was typed and each error next to its
field; nothing is written then.
"""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from core import Instance, Network
from core.accounts import User
from core.i18n import N_
from core.i18n import gettext as _
from core.wallets import Asset, MoneyError, WalletRef

from ..amounts import display
from ..beneficiaries import check_fields
from ..errors import ClafError, NotReady
from ..service import claf_of
from .common import ADMIN, author_of, error_text, errors_text, money_text, not_ready, render

__all__ = ["BENEFICIARY_ROUTES", "REASONS"]

#: what people read for each reason a line of an import was rejected
REASONS = {
    "bad_row": N_("not 2 or 3 columns (e-mail; card number; monthly allocation)"),
    "bad_email": N_("not a valid e-mail address"),
    "bad_amount": N_("the monthly allocation is not an amount like 50,00"),
    "bad_card": N_("the card number is too long"),
    "unknown_card": N_("no card of the network has this number"),
    "card_taken": N_("the card belongs to someone else"),
    "card_lost": N_("the card was declared lost"),
    "duplicate_in_file": N_("this e-mail or card is already on an earlier line"),
    "already_registered": N_("already a beneficiary of the fund"),
}
MAX_UPLOAD = 2 * 1024 * 1024


def _fund_asset(network: Network, instance: Instance) -> Asset:
    return claf_of(network).require_fund(instance.slug)[1]


@get("/claf/beneficiaires", opt=ADMIN, sync_to_thread=False, include_in_schema=False)
def beneficiaries(
    network: NamedDependency[Network],
    instance: NamedDependency[Instance],
    ok: FromQuery[str | None] = None,
) -> Template:
    """The fund's beneficiaries with their allocation, card, state and balance."""
    try:
        asset = _fund_asset(network, instance)
    except NotReady as exc:
        return not_ready(exc)
    rows = [
        (b, network.money.balance(WalletRef.user(b.user_id), asset.id))
        for b in claf_of(network).beneficiaries.of_fund(instance.slug)
    ]
    notices = {
        "new": _("The beneficiary was registered."),
        "edit": _("The beneficiary was changed."),
        "stop": _("The beneficiary was stopped: no more allocations."),
        "restart": _("The beneficiary was restarted."),
    }
    return render(
        "beneficiaries.html", asset=asset, rows=rows, notice=notices.get(ok or "", ""),
        monthly=sum(b.monthly_allocation for b, _balance in rows if b.active),
    )  # fmt: skip


def _form(
    asset: Asset, values: dict[str, str], errors: dict[str, str], *, status: int = 200,
    beneficiary: Any = None,
) -> Template:  # fmt: skip
    return render(
        "beneficiary_form.html", status=status, asset=asset, values=values, errors=errors,
        beneficiary=beneficiary,
    )  # fmt: skip


@get("/claf/beneficiaires/nouveau", opt=ADMIN, sync_to_thread=False, include_in_schema=False)
def new_form(network: NamedDependency[Network], instance: NamedDependency[Instance]) -> Template:
    """The registration form."""
    try:
        asset = _fund_asset(network, instance)
    except NotReady as exc:
        return not_ready(exc)
    return _form(asset, {"email": "", "card_number": "", "monthly_allocation": ""}, {})


@post("/claf/beneficiaires/nouveau", opt=ADMIN, include_in_schema=False)
async def register(
    request: Request[Any, Any, Any],
    network: NamedDependency[Network],
    instance: NamedDependency[Instance],
    user: NamedDependency[User | None],
) -> Response[Any]:
    """Register a beneficiary (their account is created from the e-mail if new)."""
    try:
        asset = _fund_asset(network, instance)
    except NotReady as exc:
        return not_ready(exc)
    form = await request.form()
    values = {k: str(form.get(k, "")) for k in ("email", "card_number", "monthly_allocation")}
    _cleaned, problems = check_fields(**values)
    if problems:
        return _form(asset, values, errors_text(problems), status=400)
    try:
        claf_of(network).beneficiaries.register(instance.slug, author=author_of(user), **values)
    except ClafError as exc:
        return _form(asset, values, {exc.field: error_text(exc)}, status=400)
    except MoneyError as exc:
        field, message = money_text(exc)
        return _form(asset, values, {field or "card_number": message}, status=400)
    return Redirect("/claf/beneficiaires?ok=new")


def _beneficiary(network: Network, instance: Instance, beneficiary_id: str) -> Any:
    found = claf_of(network).beneficiaries.get(instance.slug, beneficiary_id)
    if found is None:
        raise NotFoundException()
    return found


@get("/claf/beneficiaires/{beneficiary_id:str}/modifier", opt=ADMIN, sync_to_thread=False,
     include_in_schema=False)  # fmt: skip
def edit_form(
    network: NamedDependency[Network],
    instance: NamedDependency[Instance],
    beneficiary_id: FromPath[str],
) -> Template:
    """The edit form of one beneficiary (card number and monthly allocation)."""
    try:
        asset = _fund_asset(network, instance)
    except NotReady as exc:
        return not_ready(exc)
    found = _beneficiary(network, instance, beneficiary_id)
    values = {
        "email": found.email,
        "card_number": found.card_number,
        "monthly_allocation": display(found.monthly_allocation),
    }
    return _form(asset, values, {}, beneficiary=found)


@post("/claf/beneficiaires/{beneficiary_id:str}/modifier", opt=ADMIN, include_in_schema=False)
async def edit(
    request: Request[Any, Any, Any],
    network: NamedDependency[Network],
    instance: NamedDependency[Instance],
    beneficiary_id: FromPath[str],
) -> Response[Any]:
    """Save a beneficiary's card number and monthly allocation."""
    try:
        asset = _fund_asset(network, instance)
    except NotReady as exc:
        return not_ready(exc)
    found = _beneficiary(network, instance, beneficiary_id)
    form = await request.form()
    values = {k: str(form.get(k, "")) for k in ("card_number", "monthly_allocation")}
    shown = {"email": found.email, **values}
    _cleaned, problems = check_fields(found.email, **values)
    if problems:
        return _form(asset, shown, errors_text(problems), status=400, beneficiary=found)
    try:
        claf_of(network).beneficiaries.edit(instance.slug, found.id, **values)
    except ClafError as exc:
        return _form(asset, shown, {exc.field: error_text(exc)}, status=400, beneficiary=found)
    except MoneyError as exc:
        field, message = money_text(exc)
        errors = {field or "card_number": message}
        return _form(asset, shown, errors, status=400, beneficiary=found)
    return Redirect("/claf/beneficiaires?ok=edit")


def _set_active(network: Network, instance: Instance, beneficiary_id: str, active: bool) -> Any:
    try:
        claf_of(network).require_fund(instance.slug)
    except NotReady as exc:
        return not_ready(exc)
    found = _beneficiary(network, instance, beneficiary_id)
    claf_of(network).beneficiaries.set_active(instance.slug, found.id, active)
    return Redirect("/claf/beneficiaires?ok=" + ("restart" if active else "stop"))


@post("/claf/beneficiaires/{beneficiary_id:str}/arreter", opt=ADMIN, sync_to_thread=False,
      include_in_schema=False)  # fmt: skip
def stop(
    network: NamedDependency[Network],
    instance: NamedDependency[Instance],
    beneficiary_id: FromPath[str],
) -> Response[Any]:
    """Stop a beneficiary: no more allocations (the balance stays theirs)."""
    return _set_active(network, instance, beneficiary_id, False)


@post("/claf/beneficiaires/{beneficiary_id:str}/reprendre", opt=ADMIN, sync_to_thread=False,
      include_in_schema=False)  # fmt: skip
def restart(
    network: NamedDependency[Network],
    instance: NamedDependency[Instance],
    beneficiary_id: FromPath[str],
) -> Response[Any]:
    """Restart a stopped beneficiary."""
    return _set_active(network, instance, beneficiary_id, True)


@get("/claf/beneficiaires/import", opt=ADMIN, sync_to_thread=False, include_in_schema=False)
def import_form(network: NamedDependency[Network], instance: NamedDependency[Instance]) -> Template:
    """The CSV import form."""
    try:
        asset = _fund_asset(network, instance)
    except NotReady as exc:
        return not_ready(exc)
    return render("import.html", asset=asset, report=None, error="", text="", reasons={})


def _decode(data: bytes) -> str:
    """A file's text: UTF-8 (with or without BOM), else Windows-1252 (spreadsheets' default)."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


@post("/claf/beneficiaires/import", opt=ADMIN, include_in_schema=False,
      request_max_body_size=MAX_UPLOAD + 64 * 1024)  # fmt: skip
async def import_file(
    request: Request[Any, Any, Any],
    network: NamedDependency[Network],
    instance: NamedDependency[Instance],
    user: NamedDependency[User | None],
) -> Template:
    """Import the file (or the pasted text) and show every rejected line with its reason."""
    try:
        asset = _fund_asset(network, instance)
    except NotReady as exc:
        return not_ready(exc)
    form = await request.form()
    upload = form.get("file")
    data = await upload.read() if isinstance(upload, UploadFile) else b""
    text = _decode(data) if data else str(form.get("text", ""))
    reasons = {k: _(v) for k, v in REASONS.items()}
    if not text.strip():
        error = _("Choose a CSV file or paste its lines.")
        return render("import.html", status=400, asset=asset, report=None, error=error,
                      text="", reasons=reasons)  # fmt: skip
    try:
        report = claf_of(network).beneficiaries.import_csv(
            instance.slug, text, author=author_of(user)
        )
    except ClafError as exc:
        return render("import.html", status=400, asset=asset, report=None,
                      error=error_text(exc), text=text, reasons=reasons)  # fmt: skip
    return render("import.html", asset=asset, report=report, error="", text="", reasons=reasons)


BENEFICIARY_ROUTES = [
    beneficiaries, new_form, register, edit_form, edit, stop, restart, import_form, import_file,
]  # fmt: skip
