"""Beneficiaries of a food fund: registered one by one or from a CSV file, edited, stopped.

- A beneficiary is a person (an e-mail), an optional card (its printed number) and a monthly
  allocation in cents. Registering someone creates their account from the e-mail if they have
  none (``core.accounts``): they log in later by e-mailed link, like everyone.
- A card number must name a card of the network that is not lost nor someone else's; the card
  is claimed for the person in the same write as the registration (``Cards.claim_in``), so
  what they pay with it at a stall comes from their wallet. A claimed card is never released:
  clearing or changing the number later leaves the old card theirs.
- One record per person and fund; the e-mail identifies it and does not change (stop the
  record and register the new address instead).
- Each registration or import is one write: checks first, nothing written when one fails.

CSV import: UTF-8 (a BOM is ignored), ``;`` or ``,`` separated (the first line decides:
``;`` if it has one), columns ``email, card number, monthly allocation`` or ``email, monthly
allocation``; an optional header line (first cell ``email``, ``e-mail``, ``courriel`` or
``mail``); blank lines ignored. Amounts as typed in forms (``50,00`` needs ``;`` or quotes).
Every rejected line is reported with its number and a reason; the good lines are imported.
"""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import msgspec

from core.accounts import AccountError, normalize_email
from core.i18n import N_
from core.records import Collection, Index
from core.store import Tx
from core.wallets import InvalidInput, UnknownCard
from core.wallets.cards import check_number

from .amounts import parse_amount
from .errors import ClafError
from .model import Beneficiary, BeneficiaryImport, RejectedRow

if TYPE_CHECKING:
    from .service import Claf

__all__ = ["HEADER_NAMES", "MAX_ROWS", "Beneficiaries", "check_fields"]

#: first cells that mark a header line
HEADER_NAMES = frozenset({"email", "e-mail", "courriel", "mail", "adresse e-mail"})
#: lines of one import at most
MAX_ROWS = 10_000


def check_fields(
    email: object, card_number: object, monthly_allocation: object
) -> tuple[dict[str, Any], dict[str, ClafError]]:
    """Check a beneficiary's fields as typed; (cleaned values, errors by field).

    ``monthly_allocation`` is text (``"50,00"``) or cents (``int``). Every field is checked, so a
    form shows all its errors at once.
    """
    values: dict[str, Any] = {}
    errors: dict[str, ClafError] = {}
    try:
        values["email"] = normalize_email(email if isinstance(email, str) else "")
    except AccountError:
        errors["email"] = ClafError("email", N_("Enter a valid e-mail address."))
    number = card_number.strip() if isinstance(card_number, str) else ""
    if number:
        try:
            number = check_number(number)
        except InvalidInput:
            errors["card_number"] = ClafError(
                "card_number", N_("A card number has 1 to 40 characters.")
            )
    values["card_number"] = number
    try:
        amount = monthly_allocation
        if isinstance(amount, int) and not isinstance(amount, bool):
            if amount <= 0:
                raise ClafError("monthly_allocation", N_("The amount must be greater than zero."))
            values["monthly_allocation"] = amount
        else:
            values["monthly_allocation"] = parse_amount(amount, "monthly_allocation")
    except ClafError as exc:
        errors["monthly_allocation"] = exc
    return values, errors


class Beneficiaries:
    """The beneficiary records of every fund of a network, and the rules for changing them."""

    def __init__(self, claf: Claf) -> None:
        self.claf = claf
        self.store = claf.store
        self.people = claf.network.accounts
        self.cards = claf.network.money.cards
        self.clock: Callable[[], float] = claf.clock
        self.records: Collection[Beneficiary] = Collection(
            self.store,
            "claf_beneficiaries",
            Beneficiary,
            key=lambda b: b.id,
            indexes=(
                Index("fund", lambda b: b.fund),
                Index("person", lambda b: f"{b.fund}|{b.user_id}", unique=True),
            ),
        )

    # -- reading -------------------------------------------------------------------------

    def of_fund(self, fund: str) -> list[Beneficiary]:
        """Every beneficiary of a fund (stopped ones included), by e-mail."""
        with self.store.read() as txn:
            found = list(self.records.find(txn, "fund", fund))
        return sorted(found, key=lambda b: b.email)

    def get(self, fund: str, beneficiary_id: str) -> Beneficiary | None:
        """The beneficiary ``beneficiary_id`` of ``fund`` (None if absent or another fund's)."""
        if not beneficiary_id or len(beneficiary_id) > 64:
            return None
        with self.store.read() as txn:
            found = self.records.get(txn, beneficiary_id)
        return found if found is not None and found.fund == fund else None

    # -- writing -------------------------------------------------------------------------

    def register(
        self, fund: str, *, email: str, card_number: str, monthly_allocation: str | int,
        author: str,
    ) -> Beneficiary:  # fmt: skip
        """Register one beneficiary; ClafError (first problem found) and nothing written."""
        self.claf.require_fund(fund)
        values, errors = check_fields(email, card_number, monthly_allocation)
        if errors:
            raise next(iter(errors.values()))

        def op(tx: Tx) -> Beneficiary:
            problem = self._register_in(tx, fund, values, author)
            if isinstance(problem, ClafError):
                raise problem
            return problem

        return self.store.write(op)

    def edit(
        self, fund: str, beneficiary_id: str, *, card_number: str, monthly_allocation: str | int
    ) -> Beneficiary:
        """Change a beneficiary's card number and monthly allocation (their e-mail stays)."""
        current = self.get(fund, beneficiary_id)
        if current is None:
            raise ClafError("beneficiary", N_("This beneficiary does not exist."))
        values, errors = check_fields(current.email, card_number, monthly_allocation)
        if errors:
            raise next(iter(errors.values()))

        def op(tx: Tx) -> Beneficiary:
            found = self.records.get(tx.txn, beneficiary_id)
            if found is None or found.fund != fund:
                raise ClafError("beneficiary", N_("This beneficiary does not exist."))
            card_id = found.card_id
            if values["card_number"] and values["card_number"] != found.card_number:
                card_id = self._claim_in(tx, values["card_number"], found.user_id)
            elif not values["card_number"]:
                card_id = ""
            changed = msgspec.structs.replace(
                found,
                card_number=values["card_number"],
                card_id=card_id,
                monthly_allocation=values["monthly_allocation"],
                updated_at=self.clock(),
            )
            return self.records.put(tx, changed)

        return self.store.write(op)

    def set_active(self, fund: str, beneficiary_id: str, active: bool) -> Beneficiary:
        """Stop (no more allocations) or restart a beneficiary; their balance stays theirs."""

        def op(tx: Tx) -> Beneficiary:
            found = self.records.get(tx.txn, beneficiary_id) if beneficiary_id else None
            if found is None or found.fund != fund:
                raise ClafError("beneficiary", N_("This beneficiary does not exist."))
            if found.active == active:
                return found
            now = self.clock()
            changed = msgspec.structs.replace(
                found, active=active, stopped_at=0.0 if active else now, updated_at=now
            )
            return self.records.put(tx, changed)

        return self.store.write(op)

    def import_csv(self, fund: str, source: str, *, author: str) -> BeneficiaryImport:
        """Register every good line of a CSV file in one write; report each rejected line."""
        self.claf.require_fund(fund)
        rows = _read_rows(source)
        candidates: list[tuple[int, dict[str, Any]]] = []
        rejected: list[RejectedRow] = []
        seen_emails: set[str] = set()
        seen_cards: set[str] = set()
        for line, cells in rows:
            if len(cells) not in (2, 3):
                rejected.append(RejectedRow(line=line, reason="bad_row", value=";".join(cells)))
                continue
            email, card, amount = (cells[0], "", cells[1]) if len(cells) == 2 else cells
            values, errors = check_fields(email, card, amount)
            reason = _first_reason(errors)
            if reason is None and values["email"] in seen_emails:
                reason = "duplicate_in_file"
            if reason is None and values["card_number"] and values["card_number"] in seen_cards:
                reason = "duplicate_in_file"
            if reason is not None:
                rejected.append(RejectedRow(line=line, reason=reason, value=email.strip()))
                continue
            seen_emails.add(values["email"])
            if values["card_number"]:
                seen_cards.add(values["card_number"])
            candidates.append((line, values))

        def op(tx: Tx) -> BeneficiaryImport:
            report = BeneficiaryImport(rejected=list(rejected))
            for line, values in candidates:
                outcome = self._register_in(tx, fund, values, author)
                if isinstance(outcome, ClafError):
                    reason = _WRITE_REASONS.get(outcome.message, "bad_row")
                    report.rejected.append(
                        RejectedRow(line=line, reason=reason, value=values["email"])
                    )
                else:
                    report.imported.append(outcome)
            report.rejected.sort(key=lambda r: r.line)
            return report

        return self.store.write(op) if candidates else BeneficiaryImport(rejected=rejected)

    # -- helpers -------------------------------------------------------------------------

    def _register_in(
        self, tx: Tx, fund: str, values: dict[str, Any], author: str
    ) -> Beneficiary | ClafError:
        """Inside a write: register one checked row, or the reason it cannot be (nothing
        written then: every check runs before the first write)."""
        existing = self.people.users.get_by(tx.txn, "email", values["email"])
        if existing is not None:
            person = self.records.get_by(tx.txn, "person", f"{fund}|{existing.id}")
            if person is not None:
                return ClafError("email", ALREADY_REGISTERED)
        number = values["card_number"]
        if number:
            problem = self._card_problem(tx, number, existing.id if existing else None)
            if problem is not None:
                return problem
        user = self.people.ensure_user(tx, values["email"])
        card_id = self._claim_in(tx, number, user.id) if number else ""
        now = self.clock()
        beneficiary = Beneficiary(
            id=uuid.uuid4().hex,
            fund=fund,
            user_id=user.id,
            email=user.email,
            monthly_allocation=values["monthly_allocation"],
            card_number=number,
            card_id=card_id,
            created_at=now,
            updated_at=now,
            author=author,
        )
        return self.records.put(tx, beneficiary)

    def _card_problem(self, tx: Tx, number: str, user_id: str | None) -> ClafError | None:
        card = self.cards.records.get_by(tx.txn, "number", number)
        if card is None:
            return ClafError("card_number", UNKNOWN_CARD)
        if card.lost:
            return ClafError("card_number", CARD_LOST)
        if card.owner and card.owner != user_id:
            return ClafError("card_number", CARD_TAKEN)
        return None

    def _claim_in(self, tx: Tx, number: str, user_id: str) -> str:
        """Inside a write: claim the card numbered ``number`` for ``user_id``; its id."""
        problem = self._card_problem(tx, number, user_id)
        if problem is not None:
            raise problem
        card = self.cards.records.get_by(tx.txn, "number", number)
        if card is None:  # checked just above; keeps the type checker honest
            raise UnknownCard(number)
        self.cards.claim_in(tx, card.id, user_id)
        return card.id


ALREADY_REGISTERED = N_("This person is already a beneficiary of the fund.")
UNKNOWN_CARD = N_("No card of the network has this number.")
CARD_LOST = N_("This card was declared lost.")
CARD_TAKEN = N_("This card belongs to someone else.")

_WRITE_REASONS = {
    ALREADY_REGISTERED: "already_registered",
    UNKNOWN_CARD: "unknown_card",
    CARD_LOST: "card_lost",
    CARD_TAKEN: "card_taken",
}
_FIELD_REASONS = {
    "email": "bad_email",
    "monthly_allocation": "bad_amount",
    "card_number": "bad_card",
}


def _first_reason(errors: dict[str, ClafError]) -> str | None:
    for field in ("email", "card_number", "monthly_allocation"):
        if field in errors:
            return _FIELD_REASONS[field]
    return None


def _read_rows(source: str) -> list[tuple[int, list[str]]]:
    """(line number, cells) of each non-blank data line (header dropped); ClafError if the
    file has more than :data:`MAX_ROWS` lines."""
    text = source.removeprefix("\ufeff")
    first = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = ";" if ";" in first else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    rows: list[tuple[int, list[str]]] = []
    header_checked = False
    try:
        for cells in reader:
            if not any(cell.strip() for cell in cells):
                continue
            if not header_checked:
                header_checked = True
                if cells[0].strip().lower() in HEADER_NAMES:
                    continue
            if len(rows) >= MAX_ROWS:
                raise ClafError("file", N_("A file holds %(max)d lines at most."), max=MAX_ROWS)
            rows.append((reader.line_num, [cell.strip() for cell in cells]))
    except csv.Error as exc:
        raise ClafError("file", N_("This file is not readable as CSV (line %(line)d)."),
                        line=reader.line_num) from exc  # fmt: skip
    return rows
