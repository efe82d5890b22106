"""The food fund's rules (no web here): set-up, allocations, the per-place breakdown,
bank remittances and what a producer received. The beneficiaries live in
:mod:`.beneficiaries`.

One :class:`Claf` per network, kept by the network (:func:`claf_of` uses
``network.service``). Everything goes through the core's services: the asset is created with
``money.assets.create_in``, allocations are ``money.grant``, remittances
``money.remittance_in``; each money movement is one atomic write with an operation id, so a
replay moves nothing:

- an allocation's id is ``claf-allocation:<fund>:<beneficiary id>:<YYYY-MM>``: running the
  month twice (or twice at once) grants once;
- a remittance's id is ``claf-remittance:<fund>:<token>``, the token carried by the
  treasurer's form: a double click or a replayed request records one remittance.
"""

from __future__ import annotations

import datetime
import re
import secrets
import time
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any

from core import Network
from core.i18n import N_
from core.instances import Instance, InstanceKind
from core.records import Collection, Index
from core.store import Tx
from core.wallets import (
    ActionKind,
    Asset,
    AssetCategory,
    FederationStatus,
    MoneyError,
    Operation,
    Remittance,
    WalletRef,
)

from .amounts import month_of, next_month, parse_date, parse_month
from .beneficiaries import Beneficiaries
from .errors import BalanceChanged, ClafError, NotReady
from .model import AllocationLine, AllocationReport, Fund, Place, ReceivedPayment

__all__ = [
    "DEFAULT_ASSET_CODE",
    "DEFAULT_ASSET_NAME",
    "NAME",
    "SETUP_PATH",
    "Claf",
    "allocation_operation_id",
    "claf_of",
    "new_token",
]

NAME = "claf"
SETUP_PATH = "/claf/mise-en-place"
DEFAULT_ASSET_NAME = "CLAF-outils"
DEFAULT_ASSET_CODE = "CLA"
TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
_NS = 1_000_000_000


def claf_of(network: Network) -> Claf:
    """The network's CLAF service (made on first use, outside any write)."""
    return network.service(NAME, Claf)


def allocation_operation_id(fund: str, beneficiary_id: str, month: str) -> str:
    """The operation id of one beneficiary's allocation for one month (the idempotency key)."""
    return f"claf-allocation:{fund}:{beneficiary_id}:{month}"


def new_token() -> str:
    """A fresh random token naming one validation form (a remittance's operation id)."""
    return secrets.token_urlsafe(16)


class Claf:
    """The CLAF rules of one network, on the network's store and money services."""

    def __init__(self, network: Network, *, clock: Callable[[], float] = time.time) -> None:
        self.network = network
        self.store = network.store
        self.money = network.money
        self.instances = network.instances
        self.clock = clock
        self.funds: Collection[Fund] = Collection(
            self.store,
            "claf_funds",
            Fund,
            key=lambda f: f.slug,
            indexes=(Index("asset", lambda f: f.asset_id, unique=True),),
        )
        self.beneficiaries = Beneficiaries(self)

    # -- the fund ------------------------------------------------------------------------

    def fund_of(self, slug: str) -> Fund | None:
        """The fund set up on the instance ``slug``, or None."""
        with self.store.read() as txn:
            return self.funds.get(txn, slug)

    def all_funds(self) -> list[tuple[Fund, Asset]]:
        """Every fund of the network with its asset, by slug."""
        with self.store.read() as txn:
            found = list(self.funds.scan(txn))
        out = []
        for fund in found:
            asset = self.money.assets.get(fund.asset_id)
            if asset is not None:
                out.append((fund, asset))
        return out

    def require_fund(self, slug: str) -> tuple[Fund, Asset]:
        """The fund of ``slug`` and its asset; NotReady if it is not a set-up food fund."""
        instance = self.instances.get(slug)
        if instance is None or instance.kind != InstanceKind.FOOD_FUND:
            raise NotReady("not_a_fund", NOT_A_FUND)
        fund = self.fund_of(slug)
        asset = self.money.assets.get(fund.asset_id) if fund is not None else None
        if fund is None or asset is None:
            raise NotReady("not_set_up", NOT_SET_UP)
        return fund, asset

    def setup_path(self, instance: Instance) -> str | None:
        """The set-up page while a food fund has no asset yet; None otherwise."""
        if instance.kind != InstanceKind.FOOD_FUND:
            return None
        return SETUP_PATH if self.fund_of(instance.slug) is None else None

    def setup(self, slug: str, *, name: str, code: str, author: str) -> tuple[Fund, bool]:
        """Create the fund's fiat asset and its record in one write; (fund, created).

        Set up already: the existing fund, ``created`` False (a second submission of the
        form changes nothing). Not a food fund: NotReady. A bad name or code, or a code taken
        by another asset: the core's InvalidInput or DuplicateAssetCode, nothing written.
        """
        instance = self.instances.get(slug)
        if instance is None or instance.kind != InstanceKind.FOOD_FUND:
            raise NotReady("not_a_fund", NOT_A_FUND)

        def op(tx: Tx) -> tuple[Fund, bool]:
            existing = self.funds.get(tx.txn, slug)
            if existing is not None:
                return existing, False
            asset = self.money.assets.create_in(
                tx, issuer=slug, code=code, name=name, category=AssetCategory.FIAT, decimals=2
            )
            fund = Fund(slug=slug, asset_id=asset.id, created_at=self.clock(), created_by=author)
            return self.funds.put(tx, fund), True

        return self.store.write(op)

    # -- allocations ---------------------------------------------------------------------

    def allocate(self, slug: str, month: str, *, author: str) -> AllocationReport:
        """Grant each active beneficiary of the fund its allocation for ``month`` (YYYY-MM).

        Each grant is one write through the group-commit writer (many grants, few fsyncs),
        keyed by :func:`allocation_operation_id`: a beneficiary already granted that month is
        reported ``already_granted`` and nothing moves. The beneficiary is re-read inside its
        write, so one stopped meanwhile is not granted. Months after next month are refused.
        """
        fund, asset = self.require_fund(slug)
        month = parse_month(month)
        latest = next_month(month_of(datetime.date.today()))
        if month > latest:
            message = N_("Allocations are granted up to next month (%(month)s).")
            raise ClafError("month", message, month=latest)
        pending: list[tuple[Any, Future[AllocationLine]]] = []
        lines: list[AllocationLine] = []
        for beneficiary in self.beneficiaries.of_fund(slug):
            if not beneficiary.active:
                lines.append(_line(beneficiary, beneficiary.monthly_allocation, "stopped"))
                continue
            grant = self._grant_fn(beneficiary.id, fund, asset, month, author)
            pending.append((beneficiary, self.store.submit(grant)))
        for beneficiary, future in pending:
            try:
                lines.append(future.result())
            except (MoneyError, ClafError) as exc:
                code = exc.code if isinstance(exc, MoneyError) else exc.field
                lines.append(_line(beneficiary, beneficiary.monthly_allocation, "failed", code))
        lines.sort(key=lambda line: line.email)
        return AllocationReport(fund=slug, month=month, asset_code=asset.code, lines=lines)

    def _grant_fn(
        self, beneficiary_id: str, fund: Fund, asset: Asset, month: str, author: str
    ) -> Callable[[Tx], AllocationLine]:
        operation_id = allocation_operation_id(fund.slug, beneficiary_id, month)

        def grant(tx: Tx) -> AllocationLine:
            current = self.beneficiaries.records.get(tx.txn, beneficiary_id)
            if current is None:
                raise ClafError("beneficiary", N_("This beneficiary does not exist."))
            done = self.money.operation_in(tx.txn, ActionKind.GRANT, operation_id)
            if done is not None:
                return _line(current, done.amount, "already_granted")
            if not current.active:
                return _line(current, current.monthly_allocation, "stopped")
            self.money.grant_in(
                tx,
                operation_id=operation_id,
                wallet=WalletRef.user(current.user_id),
                asset_id=asset.id,
                amount=current.monthly_allocation,
                author=author,
                reason=f"CLAF allocation {month}",
            )
            return _line(current, current.monthly_allocation, "granted")

        return grant

    # -- the treasurer's view ------------------------------------------------------------

    def places(self, slug: str) -> list[Place]:
        """ "Ventilation par lieu": each place that accepted the asset or holds some of it.

        The fund itself is left out (it does not remit to itself); a place that left or was
        revoked stays while it holds a balance (it can still be remitted).
        """
        fund, asset = self.require_fund(slug)
        balances = dict(self.money.instance_balances(asset.id))
        statuses = {f.instance: f.status for f in self.money.federations.of_asset(asset.id)}
        slugs = {s for s, st in statuses.items() if st == FederationStatus.ACCEPTED}
        slugs |= {s for s, amount in balances.items() if amount != 0}
        slugs.discard(fund.slug)
        rows = []
        for place in slugs:
            instance = self.instances.get(place)
            rows.append(
                Place(
                    slug=place,
                    name=instance.name if instance is not None else place,
                    balance=balances.get(place, 0),
                    status=str(statuses.get(place, "")),
                )
            )
        return sorted(rows, key=lambda p: (p.name.lower(), p.slug))

    def remit(
        self,
        slug: str,
        *,
        producer: str,
        amount: int,
        bank_reference: str,
        bank_date: str,
        author: str,
        token: str,
    ) -> Operation:
        """Record that the fund paid ``producer`` its whole balance by bank transfer.

        In one write: unless this form's remittance was already recorded (then it is returned
        as it was: ``replayed``), the producer's balance must still be ``amount`` (else
        BalanceChanged with the current balance, nothing moved), then ``money.remittance_in``
        moves it to the issuer and stores the remittance (bank reference, date, author).
        """
        _fund, asset = self.require_fund(slug)
        if not isinstance(token, str) or not TOKEN_RE.match(token):
            raise ClafError("token", N_("This form is out of date: reload the page."))
        if producer == slug or self.instances.get(producer) is None:
            raise ClafError("producer", N_("This place does not hold the fund's asset."))
        if not isinstance(amount, int) or isinstance(amount, bool) or amount <= 0:
            raise ClafError("amount", N_("There is nothing to remit."))
        reference = bank_reference.strip() if isinstance(bank_reference, str) else ""
        if not reference:
            raise ClafError("bank_reference", N_("Enter the bank transfer's reference."))
        if len(reference) > 200:
            raise ClafError("bank_reference", N_("200 characters at most."))
        date = parse_date(bank_date, "bank_date")
        if date > datetime.date.today():
            raise ClafError("bank_date", N_("The bank transfer's date cannot be in the future."))
        operation_id = f"claf-remittance:{slug}:{token}"
        wallet = WalletRef.instance(producer)

        def op(tx: Tx) -> Operation:
            if self.money.operation_in(tx.txn, ActionKind.REMITTANCE, operation_id) is None:
                current = self.money.balance_in(tx.txn, wallet, asset.id)
                if current != amount:
                    raise BalanceChanged(amount, current)
            return self.money.remittance_in(
                tx,
                operation_id=operation_id,
                instance=producer,
                asset_id=asset.id,
                amount=amount,
                bank_reference=reference,
                bank_date=date,
                author=author,
            )

        return self.store.write(op)

    def remittances(self, slug: str, *, producer: str | None = None) -> list[Remittance]:
        """Every remittance of the fund's asset (of one producer if given), newest first."""
        _fund, asset = self.require_fund(slug)
        return self.money.remittances(instance=producer, asset_id=asset.id)

    # -- the producer's view -------------------------------------------------------------

    def funds_of_place(self, place: str) -> list[tuple[Fund, Asset, str]]:
        """The funds whose asset ``place`` was invited to share: (fund, asset, status)."""
        out = []
        for fund, asset in self.all_funds():
            if fund.slug == place:
                continue
            federation = self.money.federations.get(asset.id, place)
            if federation is not None:
                out.append((fund, asset, str(federation.status)))
        return out

    def payments_received(
        self, place: str, asset_id: int, start: datetime.date, end: datetime.date
    ) -> list[ReceivedPayment]:
        """The sales paid to ``place`` in ``asset_id`` from ``start`` to ``end`` (both
        included, server's local dates), newest first."""
        low = _local_ns(start)
        high = _local_ns(end + datetime.timedelta(days=1))
        wallet = WalletRef.instance(place)
        found: list[ReceivedPayment] = []
        before: int | None = None
        while True:
            page = self.money.history(wallet, asset_id, limit=500, before=before)
            for entry in page:
                if entry.timestamp < low:
                    return found
                if entry.timestamp < high and entry.kind == ActionKind.SALE and entry.amount > 0:
                    moment = datetime.datetime.fromtimestamp(entry.timestamp // _NS)
                    found.append(
                        ReceivedPayment(
                            timestamp=entry.timestamp,
                            date=moment.date().isoformat(),
                            time=moment.strftime("%H:%M"),
                            amount=entry.amount,
                            operation=entry.operation,
                        )
                    )
            if len(page) < 500:
                return found
            before = page[-1].timestamp


NOT_A_FUND = N_("This space is not a food fund: the CLAF's fund pages belong to food funds.")
NOT_SET_UP = N_("The fund is not set up yet: its asset must be created first.")


def _line(beneficiary: Any, amount: int, status: str, detail: str = "") -> AllocationLine:
    return AllocationLine(
        beneficiary_id=beneficiary.id,
        email=beneficiary.email,
        amount=amount,
        status=status,
        detail=detail,
    )


def _local_ns(day: datetime.date) -> int:
    """Nanoseconds since the epoch at local midnight starting ``day`` (integer arithmetic)."""
    midnight = datetime.datetime.combine(day, datetime.time()).astimezone()
    return int(midnight.timestamp()) * _NS
