"""The CLAF plugin's Litestar handlers, split by who uses them.

| module | pages | access |
|---|---|---|
| :mod:`.fund` | set-up, summary, monthly allocations, where to pay | admin, treasurer, all |
| :mod:`.beneficiaries` | beneficiaries: list, register, import, edit, stop | admin |
| :mod:`.treasury` | breakdown by place, bank remittances (pages, CSV, JSON API) | treasurer |
| :mod:`.producer` | a producer's balance, payments received, remittances (page, CSV) | treasurer |
"""

from __future__ import annotations

from .beneficiaries import BENEFICIARY_ROUTES
from .fund import FUND_ROUTES
from .producer import PRODUCER_ROUTES
from .treasury import TREASURY_ROUTES

__all__ = ["ROUTES"]

ROUTES = [*FUND_ROUTES, *BENEFICIARY_ROUTES, *TREASURY_ROUTES, *PRODUCER_ROUTES]
