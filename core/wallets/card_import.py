"""Bulk import of cards from CSV, with a report of every rejected row.

Columns: ``uid, number[, qr_id]`` (a first row starting with ``uid`` is a header and is
skipped; blank lines are ignored). A row is rejected, with its line number and a reason code:

- ``bad_row``: fewer than two columns, or more than three;
- ``bad_hex``: the UID is not hexadecimal (separators ``:``, ``-`` and spaces are allowed);
- ``wrong_length``: the UID is not 4, 7, 8 or 10 bytes (8, 14, 16 or 20 hex digits);
- ``bad_number``: the printed number is empty or longer than 40 characters;
- ``bad_qr_id``: the QR id is not 8 to 64 URL-safe characters;
- ``duplicate_in_file``: an earlier row of the file has the same UID, number or QR id;
- ``duplicate_in_store``: a card already registered has the same UID, number or QR id.

Rows without a QR id get a random one. The good rows are imported in one write, all
together; a file with only bad rows writes nothing.
"""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Iterable

import msgspec

from core.store import Tx
from core.wallets.cards import Cards, check_number, check_qr_id, new_qr_id, normalize_uid
from core.wallets.errors import InvalidInput
from core.wallets.model import Card

__all__ = ["ImportReport", "RejectedRow", "import_cards"]


class RejectedRow(msgspec.Struct, kw_only=True):
    """A row the import refused: its line number in the file, a reason code and details."""

    line: int
    reason: str
    detail: str = ""


class ImportReport(msgspec.Struct, kw_only=True):
    """What an import did: how many cards were created and which rows were refused."""

    imported: int = 0
    rejected: list[RejectedRow] = msgspec.field(default_factory=list)
    cards: list[Card] = msgspec.field(default_factory=list)


def _parse(source: str | Iterable[str]) -> tuple[list[tuple[int, Card]], list[RejectedRow]]:
    """Check every row on its own and against the earlier rows of the file."""
    lines = io.StringIO(source) if isinstance(source, str) else source
    reader = csv.reader(lines)
    good: list[tuple[int, Card]] = []
    bad: list[RejectedRow] = []
    seen: dict[str, set[str]] = {"uid": set(), "number": set(), "qr_id": set()}
    first = True
    for row in reader:
        line = reader.line_num
        cells = [c.strip() for c in row]
        if not any(cells):
            continue
        if first and cells[0].lower() == "uid":
            first = False
            continue
        first = False
        if not 2 <= len(cells) <= 3:
            bad.append(
                RejectedRow(line=line, reason="bad_row", detail="expected uid,number[,qr_id]")
            )
            continue
        try:
            uid = normalize_uid(cells[0])
        except InvalidInput as exc:
            reason = "bad_hex" if exc.message == "not hexadecimal" else "wrong_length"
            bad.append(RejectedRow(line=line, reason=reason, detail=cells[0]))
            continue
        try:
            number = check_number(cells[1])
        except InvalidInput:
            bad.append(RejectedRow(line=line, reason="bad_number", detail=cells[1]))
            continue
        given_qr = len(cells) == 3 and bool(cells[2])
        try:
            qr_id = check_qr_id(cells[2]) if given_qr else new_qr_id()
        except InvalidInput:
            bad.append(RejectedRow(line=line, reason="bad_qr_id", detail=cells[2]))
            continue
        values = {"uid": uid, "number": number, "qr_id": qr_id}
        clash = [name for name, value in values.items() if value in seen[name]]
        if clash:
            bad.append(RejectedRow(line=line, reason="duplicate_in_file", detail=clash[0]))
            continue
        for name, value in values.items():
            seen[name].add(value)
        good.append((line, Card(id=uuid.uuid4().hex, uid=uid, number=number, qr_id=qr_id)))
    return good, bad


def import_cards(
    cards: Cards, source: str | Iterable[str], *, by_instance: str = ""
) -> ImportReport:
    """Import the cards of a CSV text (or lines); returns the report. One write.

    ``by_instance`` records which instance's admin imported them (its card list).
    """
    good, bad = _parse(source)
    now = cards.clock()

    def op(tx: Tx) -> ImportReport:
        report = ImportReport(rejected=list(bad))
        for line, card in good:
            clash = [
                name
                for name in ("uid", "number", "qr_id")
                if cards.records.get_by(tx.txn, name, getattr(card, name)) is not None
            ]
            if clash:
                report.rejected.append(
                    RejectedRow(line=line, reason="duplicate_in_store", detail=clash[0])
                )
                continue
            report.cards.append(
                cards.records.insert(
                    tx, msgspec.structs.replace(card, created_at=now, imported_by=by_instance)
                )
            )
        report.imported = len(report.cards)
        report.rejected.sort(key=lambda r: r.line)
        return report

    if not good:
        return ImportReport(rejected=sorted(bad, key=lambda r: r.line))
    return cards.store.write(op)
