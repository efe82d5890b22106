"""CSV exports: the fund's remittances, a producer's payments and remittances.

Files are UTF-8, comma-separated, one header line, amounts written ``12.50`` (a dot, no unit)
with the asset's code in its own column, dates ``YYYY-MM-DD``. A text cell that a spreadsheet
would run as a formula (starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return:
a bank reference typed by someone) is written with a leading ``'``.
"""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Iterable, Sequence

from core.wallets import Asset, Remittance

from .amounts import plain
from .model import ReceivedPayment

__all__ = ["PAYMENT_COLUMNS", "REMITTANCE_COLUMNS", "payments_csv", "remittances_csv", "safe"]

REMITTANCE_COLUMNS = (
    "bank_date", "place", "place_name", "amount", "currency", "bank_reference", "validated_by",
    "recorded_at",
)  # fmt: skip
PAYMENT_COLUMNS = ("date", "time", "amount", "currency", "operation")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe(cell: object) -> str:
    """The cell as text, defused if a spreadsheet would read it as a formula."""
    text = str(cell)
    return "'" + text if text.startswith(_FORMULA_START) else text


def _csv(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([safe(cell) for cell in row])
    return out.getvalue()


def remittances_csv(rows: Iterable[tuple[Remittance, Asset]], names: dict[str, str]) -> str:
    """Remittances with their asset as CSV (:data:`REMITTANCE_COLUMNS`); ``names`` maps
    instance slugs to names."""
    return _csv(
        REMITTANCE_COLUMNS,
        (
            (
                r.bank_date,
                r.instance,
                names.get(r.instance, r.instance),
                plain(r.amount),
                asset.code,
                r.bank_reference,
                r.author,
                datetime.datetime.fromtimestamp(int(r.created_at)).isoformat(),
            )
            for r, asset in rows
        ),
    )


def payments_csv(rows: Iterable[tuple[ReceivedPayment, Asset]]) -> str:
    """A producer's received payments with their asset as CSV (:data:`PAYMENT_COLUMNS`)."""
    return _csv(
        PAYMENT_COLUMNS,
        ((p.date, p.time, plain(p.amount), asset.code, p.operation) for p, asset in rows),
    )
