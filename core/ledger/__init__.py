"""The embedded ledger: double-entry, multi-asset accounts and transfers on the store's LMDB.

Modelled on TigerBeetle (accounts, transfers, ledgers, codes, linked and two-phase transfers,
one result per event) so that a TigerBeetle cluster can later back the same interface. It knows
nothing of wallets, cards or instances. See docs/ledger.md.

>>> ledger = Ledger.open(path)                       # doctest: +SKIP
>>> ledger.create_accounts([Account(id=1, ledger=1, code=1), Account(id=2, ledger=1, code=1)])
>>> ledger.create_transfers([Transfer(id=1, debit_account_id=1, credit_account_id=2,
...                                   amount=500, ledger=1, code=1)])
"""

from core.ledger.ledger import Change, Head, Ledger
from core.ledger.model import (
    AMOUNT_MAX,
    BATCH_MAX,
    ID_MAX,
    Account,
    AccountFlags,
    CreateAccountResult,
    CreateTransferResult,
    LedgerInputError,
    Transfer,
    TransferFlags,
)
from core.ledger.verify import BadTransfer, VerifyReport

__all__ = [
    "AMOUNT_MAX",
    "BATCH_MAX",
    "ID_MAX",
    "Account",
    "AccountFlags",
    "BadTransfer",
    "Change",
    "CreateAccountResult",
    "CreateTransferResult",
    "Head",
    "Ledger",
    "LedgerInputError",
    "Transfer",
    "TransferFlags",
    "VerifyReport",
]
