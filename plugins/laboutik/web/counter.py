"""Counter pages (role cashier): refill a card (with the bonus), refund a card, lost card.

A refund first shows what the card would get back (a GET: it only reads), then a button
confirms it (a POST). Each form carries an operation id: submitting it twice does it once.
"""

from __future__ import annotations

from typing import Any, cast

from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Template

from core import Instance, Network
from core.wallets import MoneyError, WalletRef

from ..errors import RegisterError
from ..model import Method
from .common import Form, errors_of, lb, new_token, render, status_of

__all__ = ["COUNTER_ROUTES"]

CASHIER = {"role": "cashier"}


def _refill_page(
    network: Network, instance: Instance, pos_id: str, *, values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None, done: Any = None, status: int = 200,
) -> Template:  # fmt: skip
    service = lb(network)
    point = service.catalog.point(instance.slug, pos_id)
    balances = []
    if done is not None:
        card = network.money.cards.get(done.card_id)
        if card is not None and not card.lost:
            wallet = network.money.cards.wallet_of(card)
            balances = [b for b in network.money.balances(wallet) if b.amount]
    return render(
        "refill.html", status=status, point=point, values=values or {}, errors=errors or {},
        assets=service.catalog.refill_assets(point), done=done, balances=balances,
        all_assets={a.id: a for a in network.money.assets.all()}, token=new_token(),
        session=service.orders.session(instance.slug, point.id),
    )  # fmt: skip


@get("/caisse/{pos_id:str}/recharge", opt=CASHIER, include_in_schema=False, sync_to_thread=False)
def refill_form(
    network: NamedDependency[Network], instance: NamedDependency[Instance], pos_id: FromPath[str]
) -> Template:
    """The refill form."""
    return _refill_page(network, instance, pos_id)


@post("/caisse/{pos_id:str}/recharge", opt=CASHIER, include_in_schema=False)
async def refill(
    request: Request[Any, Any, Any],
    network: NamedDependency[Network],
    instance: NamedDependency[Instance],
    actor: NamedDependency[Any],
    pos_id: FromPath[str],
) -> Template:
    """Refill a card, paid in cash or by bank card; the bonus follows the point's rule."""
    form = await Form.of(request)
    amount = form.amount("amount")
    asset = form.text("asset_id")
    if form.errors:
        return _refill_page(network, instance, pos_id, values=form.values(), errors=form.errors,
                            status=422)  # fmt: skip
    typed = form.text("method")
    method = Method(typed) if typed in ("cash", "card") else cast(Method, typed)
    try:
        done = lb(network).counter.refill(
            instance.slug, pos_id, uid=form.text("uid"),
            asset_id=int(asset) if asset.isdigit() else 0, amount=amount, method=method,
            operation_id=form.text("operation_id"), author=actor.label,
        )  # fmt: skip
    except (RegisterError, MoneyError) as exc:
        errors = errors_of(exc)
        if isinstance(exc, MoneyError):
            errors = {"uid": next(iter(errors.values()))}
        return _refill_page(network, instance, pos_id, values=form.values(), errors=errors,
                            status=status_of(exc))  # fmt: skip
    return _refill_page(network, instance, pos_id, done=done.operation)


def _refund_page(
    network: Network, instance: Instance, pos_id: str, *, uid: str = "",
    errors: dict[str, str] | None = None, done: Any = None, status: int = 200,
) -> Template:  # fmt: skip
    service = lb(network)
    point = service.catalog.point(instance.slug, pos_id)
    errors = dict(errors or {})
    refundable: list[Any] = []
    if uid and done is None and not errors:
        try:
            refundable = service.counter.refundable(instance.slug, uid)
        except MoneyError as exc:
            errors["uid"] = next(iter(errors_of(exc).values()))
    return render(
        "refund.html", status=status, point=point,
        uid=uid, errors=errors, refundable=refundable, done=done, token=new_token(),
        assets={a.id: a for a in network.money.assets.all()},
        session=service.orders.session(instance.slug, point.id),
    )  # fmt: skip


@get("/caisse/{pos_id:str}/remboursement", opt=CASHIER, include_in_schema=False,
     sync_to_thread=False)  # fmt: skip
def refund_form(
    network: NamedDependency[Network],
    instance: NamedDependency[Instance],
    pos_id: FromPath[str],
    carte: FromQuery[str] = "",
) -> Template:
    """Type or read a card, see what it would get back (nothing changes)."""
    return _refund_page(network, instance, pos_id, uid=carte.strip())


@post("/caisse/{pos_id:str}/remboursement", opt=CASHIER, include_in_schema=False)
async def refund(
    request: Request[Any, Any, Any],
    network: NamedDependency[Network],
    instance: NamedDependency[Instance],
    actor: NamedDependency[Any],
    pos_id: FromPath[str],
) -> Template:
    """Refund the card: its balance in the collective's currencies, paid in cash."""
    form = await Form.of(request)
    try:
        done = lb(network).counter.refund(
            instance.slug, pos_id, uid=form.text("uid"), operation_id=form.text("operation_id"),
            author=actor.label,
        )  # fmt: skip
    except (RegisterError, MoneyError) as exc:
        errors = errors_of(exc)
        if isinstance(exc, MoneyError):
            errors = {"uid": next(iter(errors.values()))}
        return _refund_page(network, instance, pos_id, uid=form.text("uid"), errors=errors,
                            status=status_of(exc))  # fmt: skip
    return _refund_page(network, instance, pos_id, done=done.operation)


def _void_page(
    network: Network, instance: Instance, pos_id: str, *, values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None, done: Any = None, status: int = 200,
) -> Template:  # fmt: skip
    point = lb(network).catalog.point(instance.slug, pos_id)
    replacement = None
    if done is not None and done.replacement_id:
        replacement = network.money.cards.get(done.replacement_id)
    balances = []
    if replacement is not None:
        wallet = (
            WalletRef.user(replacement.owner)
            if replacement.owner
            else WalletRef.card(replacement.id)
        )
        balances = [b for b in network.money.balances(wallet) if b.amount]
    return render(
        "void.html", status=status, point=point, values=values or {}, errors=errors or {},
        done=done, lost=network.money.cards.get(done.card_id) if done else None,
        replacement=replacement, balances=balances, token=new_token(),
        assets={a.id: a for a in network.money.assets.all()},
    )  # fmt: skip


@get("/caisse/{pos_id:str}/carte-perdue", opt=CASHIER, include_in_schema=False,
     sync_to_thread=False)  # fmt: skip
def void_form(
    network: NamedDependency[Network], instance: NamedDependency[Instance], pos_id: FromPath[str]
) -> Template:
    """The lost card form."""
    return _void_page(network, instance, pos_id)


@post("/caisse/{pos_id:str}/carte-perdue", opt=CASHIER, include_in_schema=False)
async def void(
    request: Request[Any, Any, Any],
    network: NamedDependency[Network],
    instance: NamedDependency[Instance],
    actor: NamedDependency[Any],
    pos_id: FromPath[str],
) -> Template:
    """Declare a card lost, with an optional replacement that receives its balances."""
    form = await Form.of(request)
    try:
        done = lb(network).counter.void(
            instance.slug, pos_id, card=form.text("card"),
            replacement_uid=form.text("replacement"), operation_id=form.text("operation_id"),
            author=actor.label,
        )  # fmt: skip
    except (RegisterError, MoneyError) as exc:
        errors = errors_of(exc)
        if not isinstance(exc, RegisterError):
            errors = {"card": next(iter(errors.values()))}
        return _void_page(network, instance, pos_id, values=form.values(), errors=errors,
                          status=status_of(exc))  # fmt: skip
    return _void_page(network, instance, pos_id, done=done.operation)


COUNTER_ROUTES = [refill_form, refill, refund_form, refund, void_form, void]
