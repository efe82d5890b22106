"""The CLAF plugin's Structs: the fund, its beneficiaries, and what its services answer.

Stored Structs (:class:`Fund`, :class:`Beneficiary`) follow msgspec's schema-evolution rules:
keyword-only, every field added later gets a default. Money is an ``int`` in cents (the CLA
asset has two decimals: 1 CLA = 1 euro). The other Structs are answers of the services, also
used as bodies of the JSON API.
"""

from __future__ import annotations

import msgspec

__all__ = [
    "AllocationLine",
    "AllocationReport",
    "Beneficiary",
    "BeneficiaryImport",
    "Fund",
    "Place",
    "ReceivedPayment",
    "RejectedRow",
]


class Fund(msgspec.Struct, kw_only=True):
    """A food fund set up with this plugin: its instance and the fiat asset it issues."""

    slug: str
    asset_id: int
    created_at: float = 0.0
    #: e-mail of the admin who set the fund up
    created_by: str = ""


class Beneficiary(msgspec.Struct, kw_only=True):
    """A person the fund gives a monthly allocation to. One record per person and fund."""

    id: str
    fund: str
    #: the person's account (created from the e-mail when they were registered)
    user_id: str
    email: str
    #: cents granted each month
    monthly_allocation: int
    #: the printed number of the card handed to them ("" if none); the card is theirs
    card_number: str = ""
    card_id: str = ""
    active: bool = True
    created_at: float = 0.0
    updated_at: float = 0.0
    stopped_at: float = 0.0
    #: e-mail of the admin who registered them
    author: str = ""


class RejectedRow(msgspec.Struct, kw_only=True, frozen=True):
    """A line of an imported file that was not imported, and why.

    ``reason`` is one of ``bad_row``, ``bad_email``, ``bad_amount``, ``unknown_card``,
    ``card_taken``, ``card_lost``, ``duplicate_in_file``, ``already_registered``.
    """

    line: int
    reason: str
    value: str = ""


class BeneficiaryImport(msgspec.Struct, kw_only=True):
    """What a CSV import did: the beneficiaries registered and every rejected line."""

    imported: list[Beneficiary] = msgspec.field(default_factory=list)
    rejected: list[RejectedRow] = msgspec.field(default_factory=list)


class AllocationLine(msgspec.Struct, kw_only=True, frozen=True):
    """One beneficiary in a month's allocation run.

    ``status`` is ``granted`` (granted now), ``already_granted`` (an earlier run did it: nothing
    moved), ``stopped`` (the beneficiary is stopped) or ``failed`` (``detail`` says why).
    """

    beneficiary_id: str
    email: str
    amount: int
    status: str
    detail: str = ""


class AllocationReport(msgspec.Struct, kw_only=True):
    """What ``tirelire claf allocate`` (or its button) did for one fund and month."""

    fund: str
    month: str
    asset_code: str
    lines: list[AllocationLine] = msgspec.field(default_factory=list)

    def of(self, status: str) -> list[AllocationLine]:
        """The lines with this status."""
        return [line for line in self.lines if line.status == status]

    @property
    def granted_total(self) -> int:
        """Cents granted by this run."""
        return sum(line.amount for line in self.of("granted"))


class Place(msgspec.Struct, kw_only=True, frozen=True):
    """A line of "Ventilation par lieu": a place holding (or accepting) the fund's asset.

    ``status`` is the place's federation status (``accepted``, ``revoked``, ``left``...).
    """

    slug: str
    name: str
    balance: int
    status: str


class ReceivedPayment(msgspec.Struct, kw_only=True, frozen=True):
    """A payment a producer received in a fund's asset (the payer is not shown: privacy)."""

    timestamp: int
    date: str
    time: str
    amount: int
    operation: str
