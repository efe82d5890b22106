"""Cards: NFC cards as keys to wallets, claimed by users, declared lost, or tied to instances.

- A card has an id, a UID (what the reader reads: 4, 7 or 10 bytes for Type A cards, the
  8-byte IDm of a Type 3 (FeliCa) card; stored as upper-case hex digits), a number printed
  on it and a random ``qr_id`` used in its page's URL. The three are unique. Cards arrive in
  bulk (:mod:`core.wallets.card_import`).
- An anonymous card has its own wallet (``card:<id>``): it can be refilled and pay at once.
- Claiming (:meth:`Cards.claim`) fuses the card's balances into the user's wallet in the same
  write as setting its owner. From then on the card is only a key to the user's wallet:
  actions that name it credit and debit the user's wallet. A card claimed by someone else
  cannot be claimed. Scanning a card or opening its page never logs anyone in: these services
  only ever return the card; logging in is the e-mailed link's job.
- Declaring a card lost (:meth:`Cards.declare_lost`) makes it unusable for ever. Its own
  balances (only an anonymous card has any) go to a replacement card (to its user's wallet if
  the card was claimed), or stay where they are until a replacement is named.
- A primary (staff) card opens points of sale at the instances it is tied to.
"""

from __future__ import annotations

import re
import secrets
import uuid

import lmdb
import msgspec

from core.i18n import N_
from core.records import Collection, Index
from core.store import Store, Tx
from core.wallets.errors import (
    CardAlreadyClaimed,
    CardHoldsMoney,
    CardLost,
    InvalidInput,
    UnknownCard,
)
from core.wallets.model import Card, Operation, WalletRef
from core.wallets.settlement import Settlements

__all__ = ["Cards", "card_records", "check_number", "check_qr_id", "new_qr_id", "normalize_uid"]

HEX_RE = re.compile(r"^[0-9A-F]*$")
QR_RE = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
NUMBER_MAX = 40


#: UID lengths in bytes: Type A single, double and triple size (4, 7, 10), Type 3 IDm (8)
UID_BYTES = (4, 7, 8, 10)


def normalize_uid(uid: object) -> str:
    """The UID as stored: upper-case hex without separators, 8, 14, 16 or 20 digits.

    Raises InvalidInput on ``uid`` with the message ``not hexadecimal`` or ``wrong length``.
    """
    text = uid if isinstance(uid, str) else ""
    cleaned = re.sub(r"[\s:-]", "", text).upper()
    if not cleaned or not HEX_RE.match(cleaned):
        raise InvalidInput("uid", N_("not hexadecimal"))
    if len(cleaned) not in tuple(2 * n for n in UID_BYTES):
        raise InvalidInput(
            "uid", N_("wrong length: a UID has 4, 7, 8 or 10 bytes (8, 14, 16 or 20 hex digits)")
        )
    return cleaned


def check_number(number: object) -> str:
    """The printed number, trimmed (1 to 40 characters); else InvalidInput on ``number``."""
    cleaned = number.strip() if isinstance(number, str) else ""
    if not cleaned or len(cleaned) > NUMBER_MAX:
        raise InvalidInput(
            "number",
            N_("a printed number has 1 to %(number_max)s characters"),
            number_max=NUMBER_MAX,
        )
    return cleaned


def check_qr_id(qr_id: object) -> str:
    """A QR id: 8 to 64 URL-safe characters; else InvalidInput on ``qr_id``."""
    cleaned = qr_id.strip() if isinstance(qr_id, str) else ""
    if not QR_RE.match(cleaned):
        raise InvalidInput("qr_id", N_("use 8 to 64 letters, digits, '-' or '_'"))
    return cleaned


def new_qr_id() -> str:
    """A fresh random QR id (128 bits, URL-safe)."""
    return secrets.token_urlsafe(16)


def card_records(store: Store) -> Collection[Card]:
    """The card collection: by id, and unique by UID, number and QR id."""
    return Collection(
        store,
        "cards",
        Card,
        key=lambda c: c.id,
        indexes=(
            Index("uid", lambda c: c.uid, unique=True),
            Index("number", lambda c: c.number, unique=True),
            Index("qr_id", lambda c: c.qr_id, unique=True),
            Index("owner", lambda c: c.owner or None),
            Index("staff", lambda c: "1" if c.primary_for else None),
            Index("imported_by", lambda c: c.imported_by or None),
        ),
    )


class Cards:
    """The card records and the rules for claiming, losing and tying cards to instances."""

    def __init__(self, money: Settlements) -> None:
        self.money = money
        self.store = money.store
        self.records = money.card_records
        self.clock = money.clock

    # -- reading -------------------------------------------------------------------------

    def get(self, card_id: str) -> Card | None:
        """The card with this id, or None."""
        if not card_id:
            return None
        with self.store.read() as txn:
            return self.records.get(txn, card_id)

    def by_uid(self, uid: str) -> Card | None:
        """The card with this UID (any case, separators allowed), or None."""
        try:
            cleaned = normalize_uid(uid)
        except InvalidInput:
            return None
        with self.store.read() as txn:
            return self.records.get_by(txn, "uid", cleaned)

    def by_number(self, number: str) -> Card | None:
        """The card with this printed number, or None."""
        cleaned = number.strip() if isinstance(number, str) else ""
        if not cleaned:
            return None
        with self.store.read() as txn:
            return self.records.get_by(txn, "number", cleaned)

    def by_qr(self, qr_id: str) -> Card | None:
        """The card whose page has this QR id, or None (this never logs anyone in)."""
        if not isinstance(qr_id, str) or not QR_RE.match(qr_id):
            return None
        with self.store.read() as txn:
            return self.records.get_by(txn, "qr_id", qr_id)

    def of_user(self, user_id: str) -> list[Card]:
        """The cards a user claimed (lost ones included), by id."""
        if not user_id:
            return []
        with self.store.read() as txn:
            return list(self.records.find(txn, "owner", user_id))

    def imported_by(self, instance: str, *, limit: int = 1000) -> list[Card]:
        """The cards whose import an admin of ``instance`` made (at most ``limit``)."""
        if not instance:
            return []
        with self.store.read() as txn:
            found = []
            for card in self.records.find(txn, "imported_by", instance):
                found.append(card)
                if len(found) >= limit:
                    break
            return found

    def holds_money(self, card: Card) -> bool:
        """True when the card's own wallet holds something (only anonymous cards can)."""
        with self.store.read() as txn:
            return self._holds_money(txn, card)

    def _holds_money(self, txn: lmdb.Transaction, card: Card) -> bool:
        own = WalletRef.card(card.id)
        return any(b.amount for b in self.money.accounts.balances_in(txn, own))

    def wallet_of(self, card: Card) -> WalletRef:
        """The wallet a card pays from: its user's once claimed, else its own; lost: refused."""
        if card.lost:
            raise CardLost(card.id)
        return WalletRef.user(card.owner) if card.owner else WalletRef.card(card.id)

    def primary_cards(self, instance: str) -> list[Card]:
        """The staff cards tied to ``instance`` (lost ones excluded)."""
        with self.store.read() as txn:
            return [
                c
                for c in self.records.find(txn, "staff", "1")
                if instance in c.primary_for and not c.lost
            ]

    def is_primary_for(self, card: Card, instance: str) -> bool:
        """True when ``card`` may open a point of sale of ``instance``."""
        return not card.lost and instance in card.primary_for

    # -- writing -------------------------------------------------------------------------

    def add(self, *, uid: str, number: str, qr_id: str | None = None) -> Card:
        """Register one card (anonymous); UniqueViolation if its UID, number or QR id is taken."""
        card = Card(
            id=uuid.uuid4().hex,
            uid=normalize_uid(uid),
            number=check_number(number),
            qr_id=new_qr_id() if qr_id is None else check_qr_id(qr_id),
            created_at=self.clock(),
        )
        return self.store.write(lambda tx: self.records.insert(tx, card))

    def claim(
        self, card_id: str, user_id: str, *, only_if_empty: bool = False
    ) -> tuple[Card, Operation | None]:
        """``user_id`` claims the card: its balances move to their wallet, in one write.

        Claiming one's own card again changes nothing (the operation is then None). With
        ``only_if_empty`` a card whose wallet holds money is refused (``CardHoldsMoney``),
        checked in the same write: the web host uses it when a person names a card by its
        printed number only, which anyone may read or guess, so that a guessed number never
        takes someone else's balance.
        """
        if not isinstance(user_id, str) or not user_id:
            raise InvalidInput("user_id", N_("name the user who claims the card"))
        return self.store.write(
            lambda tx: self.claim_in(tx, card_id, user_id, only_if_empty=only_if_empty)
        )

    def claim_in(
        self, tx: Tx, card_id: str, user_id: str, *, only_if_empty: bool = False
    ) -> tuple[Card, Operation | None]:
        """Inside the caller's write: :meth:`claim` (a plugin's record about the person and
        the card's claim then commit together or not at all)."""
        if not isinstance(user_id, str) or not user_id:
            raise InvalidInput("user_id", N_("name the user who claims the card"))
        card = self._card(tx.txn, card_id)
        if card.owner == user_id:
            return card, None
        if card.owner:
            raise CardAlreadyClaimed(card.id)
        if card.lost:
            raise CardLost(card.id)
        if only_if_empty and self._holds_money(tx.txn, card):
            raise CardHoldsMoney(card.id)
        fused = self.money.fusion_in(
            tx, operation_id=f"claim:{card.id}", card_id=card.id, target=WalletRef.user(user_id)
        )
        claimed = msgspec.structs.replace(card, owner=user_id, claimed_at=self.clock())
        return self.records.put(tx, claimed), fused

    def declare_lost(
        self, card_id: str, *, replacement_id: str | None = None, author: str = ""
    ) -> tuple[Card, Operation | None]:
        """Mark the card lost for ever; its own balances go to ``replacement_id`` if given.

        A claimed card's replacement is claimed by the same user. Without a replacement, a
        claimed card's leftovers go to its user's wallet and an anonymous card's stay on it
        until a replacement is named (calling again with one). Returns the lost card and the
        fusion (None when nothing was fused).
        """
        return self.store.write(
            lambda tx: self.declare_lost_in(
                tx, card_id, replacement_id=replacement_id, author=author
            )
        )

    def declare_lost_in(
        self, tx: Tx, card_id: str, *, replacement_id: str | None = None, author: str = ""
    ) -> tuple[Card, Operation | None]:
        """Inside the caller's write: :meth:`declare_lost`, so a plugin's record of the loss
        (a cash register's journal) commits with it or not at all."""
        card = self._card(tx.txn, card_id)
        if card.replaced_by:
            if replacement_id in (None, card.replaced_by):
                return card, None
            raise CardLost(card.id)
        now = self.clock()
        lost = msgspec.structs.replace(card, lost_at=card.lost_at or now)
        fused = None
        if replacement_id is not None:
            new = self._replacement(tx.txn, card, replacement_id)
            if card.owner and not new.owner:
                new = msgspec.structs.replace(new, owner=card.owner, claimed_at=now)
                self.records.put(tx, new)
            target = WalletRef.user(new.owner) if new.owner else WalletRef.card(new.id)
            fused = self.money.fusion_in(
                tx, operation_id=f"replace:{card.id}", card_id=card.id, target=target,
                author=author,
            )  # fmt: skip
            lost = msgspec.structs.replace(lost, replaced_by=new.id)
        elif card.owner and not card.lost:
            fused = self.money.fusion_in(
                tx, operation_id=f"lost:{card.id}", card_id=card.id,
                target=WalletRef.user(card.owner), author=author,
            )  # fmt: skip
        return self.records.put(tx, lost), fused

    def set_primary(self, card_id: str, instance: str, *, enabled: bool = True) -> Card:
        """Tie the card to ``instance`` as a staff card (or untie it with ``enabled=False``)."""

        def op(tx: Tx) -> Card:
            card = self._card(tx.txn, card_id)
            if card.lost:
                raise CardLost(card.id)
            self.money._instance(tx.txn, instance)
            slugs = [s for s in card.primary_for if s != instance]
            if enabled:
                slugs.append(instance)
            return self.records.put(tx, msgspec.structs.replace(card, primary_for=sorted(slugs)))

        return self.store.write(op)

    # -- helpers -------------------------------------------------------------------------

    def _card(self, txn: lmdb.Transaction, card_id: str) -> Card:
        card = self.records.get(txn, card_id) if isinstance(card_id, str) and card_id else None
        if card is None:
            raise UnknownCard(str(card_id))
        return card

    def _replacement(self, txn: lmdb.Transaction, card: Card, replacement_id: str) -> Card:
        new = self._card(txn, replacement_id)
        if new.id == card.id:
            raise InvalidInput("replacement_id", N_("a card cannot replace itself"))
        if new.lost:
            raise CardLost(new.id)
        if new.owner and new.owner != card.owner:
            raise CardAlreadyClaimed(new.id)
        return new
