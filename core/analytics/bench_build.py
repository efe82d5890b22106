"""A ledger shaped like a network, fast, for the analytics benchmark (the build is not timed).

The network: a food fund issuing a local asset (``CLA``), producers and venues, a venue's
own token, the primary asset; user and card wallets; over twelve months, in this mix:
sales about 78 % (at a venue in euros or the venue's token, at a producer in CLA), refills
at a counter or online about 10 %, grants (the fund's allocations) 4 %, refunds 2 %,
person-to-person transfers 2 %, bank remittances of producers' CLA 1 %; a sale the payer
cannot afford becomes a refill.

Wallets, accounts and operation records are written through the core's collections; the
transfers go through the real ledger (every rule checked, hash chain, indexes), in batches
of 8189 with a simulated clock so that the timestamps spread over the twelve months. Each
transfer carries what ``core.wallets`` writes (the place number in ``user_data_64``, the
operation's reference in ``user_data_128``); refills, grants, refunds and remittances have
their operation record and their note in the operation feed, in the same write as their
transfers. Sales' operation records are not written (the mirror never reads them). Ids are
a derived base plus a counter (unique, like the core's hashes, and cheaper to make).
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass
from pathlib import Path

from core.instances import Instance, InstanceKind
from core.ledger import BATCH_MAX, CreateTransferResult, Ledger, Transfer
from core.network import Network
from core.plugins import PluginManager
from core.settings import load_settings
from core.store import Tx
from core.wallets.accounts_map import AccountsMap, account_id_for
from core.wallets.feed import OperationNote, place_user_data
from core.wallets.model import ActionKind, Operation, Remittance, WalletRef
from core.wallets.operations import derive_id

__all__ = ["BuildConfig", "build_network"]

DAY_NS = 86_400 * 1_000_000_000
TRANSFER_BASE = derive_id("bench/transfer") >> 40 << 40  # + a counter: unique, never 0
REF_BASE = derive_id("bench/operation") >> 40 << 40
FUND = "fonds-claf"
VENUES = ("le-bisik", "la-cave", "festival-dete")
PRODUCERS = ("les-goulues", "ferme-du-val", "boulangerie-lune", "maraicher-nord", "fromagerie")
A = ActionKind


@dataclass
class BuildConfig:
    """The size of the built network."""

    transfers: int = 10_000_000
    months: int = 12
    seed: int = 20261130

    @property
    def holders(self) -> int:
        """User and card wallets: one per 200 transfers, between 50 and 50,000."""
        return max(50, min(50_000, self.transfers // 200))


def _setup(network: Network, ledger: Ledger, cfg: BuildConfig) -> tuple[list[str], dict[str, int]]:
    """Instances, assets, federations and holders' wallets; returns holders and asset ids."""
    for slug in (FUND, *VENUES, *PRODUCERS):
        kind = InstanceKind.FOOD_FUND if slug == FUND else (
            InstanceKind.VENUE if slug in VENUES else InstanceKind.PRODUCER)  # fmt: skip
        network.instances.create(Instance(slug=slug, name=slug.replace("-", " ").title(),
                                          kind=kind))  # fmt: skip
    money = network.money
    cla = money.assets.create(issuer=FUND, code="CLA", name="CLAF-outils", category="fiat")
    tok = money.assets.create(issuer=VENUES[0], code="BIS", name="Bisik", category="fiat")
    for producer in PRODUCERS:
        money.federations.invite(cla.id, producer, by_instance=FUND, author="bench")
        money.federations.accept(cla.id, producer, author="bench")
    assets = {"FED": 1, "CLA": cla.id, "BIS": tok.id}
    holders = [f"user:u{i:06d}" if i % 3 else f"card:c{i:06d}" for i in range(cfg.holders)]
    refs = [WalletRef.parse(h) for h in holders]
    refs += [WalletRef.instance(s) for s in (FUND, *VENUES, *PRODUCERS)]
    refs += [WalletRef.issuer(a) for a in assets.values()]
    accounts = AccountsMap(ledger)  # the bench ledger: its clock starts months ago
    for start in range(0, len(refs), 2000):
        part = refs[start : start + 2000]

        def op(tx: Tx, part: list[WalletRef] = part) -> None:
            for ref in part:
                for asset_id in assets.values():
                    accounts.ensure(tx, ref, asset_id)

        network.store.write(op)
    return holders, assets


class _Builder:
    """Plans events with a balance model so that every transfer passes the ledger's rules."""

    def __init__(self, holders: list[str], assets: dict[str, int], cfg: BuildConfig) -> None:
        self.rng = random.Random(cfg.seed)
        self.holders = holders
        self.assets = assets
        self.balance: dict[tuple[str, int], int] = {}
        self.accounts: dict[tuple[str, int], int] = {}
        self.ids = 0

    def account(self, owner: str, asset: int) -> int:
        found = self.accounts.get((owner, asset))
        if found is None:
            found = self.accounts[(owner, asset)] = account_id_for(owner, asset)
        return found

    def next_id(self) -> int:
        self.ids += 1
        return TRANSFER_BASE + self.ids

    def event(self) -> tuple[ActionKind, str, str, int, int, str]:
        """(kind, debit owner, credit owner, asset, amount, place) of the next event."""
        rng = self.rng
        roll = rng.random()
        holder = self.holders[rng.randrange(len(self.holders))]
        fed, cla, bis = self.assets["FED"], self.assets["CLA"], self.assets["BIS"]
        bal = self.balance
        if roll < 0.80:  # a sale, if the holder has the money; else a refill
            price = rng.randrange(150, 2500)
            first = rng.randrange(3)
            asset, have = 0, 0
            for k in range(3):  # the first of the holder's assets that covers the price
                asset = (fed, cla, bis)[(first + k) % 3]
                have = bal.get((holder, asset), 0)
                if have >= price:
                    break
            if have >= price:
                if asset == cla:
                    place = PRODUCERS[rng.randrange(len(PRODUCERS))]
                elif asset == bis:
                    place = VENUES[0]
                else:
                    place = (*VENUES, *PRODUCERS)[rng.randrange(8)]
                return A.SALE, holder, f"instance:{place}", asset, price, place
            roll = 0.85
        if roll < 0.91:
            asset = fed if rng.random() < 0.7 else bis
            place = "" if asset == fed and rng.random() < 0.5 else VENUES[rng.randrange(3)]
            if asset == bis:
                place = VENUES[0]
            amount = rng.randrange(20, 150) * 100
            return A.REFILL, f"issuer:{asset}", holder, asset, amount, place
        if roll < 0.95:
            return A.GRANT, f"issuer:{cla}", holder, cla, rng.randrange(20, 80) * 100, ""
        if roll < 0.97:
            asset = fed if rng.random() < 0.6 else bis
            have = bal.get((holder, asset), 0)
            if have > 0:
                place = "" if asset == fed else VENUES[0]
                return A.REFUND, holder, f"issuer:{asset}", asset, have, place
            return A.GRANT, f"issuer:{cla}", holder, cla, 3000, ""
        if roll < 0.99:
            other = self.holders[rng.randrange(len(self.holders))]
            have = bal.get((holder, fed), 0)
            if have > 100 and other != holder:
                return A.TRANSFER, holder, other, fed, have // 2, ""
            return A.GRANT, f"issuer:{cla}", holder, cla, 3000, ""
        producer = PRODUCERS[rng.randrange(len(PRODUCERS))]
        have = bal.get((f"instance:{producer}", cla), 0)
        if have > 0:
            return A.REMITTANCE, f"instance:{producer}", f"issuer:{cla}", cla, have, producer
        return A.GRANT, f"issuer:{cla}", holder, cla, 3000, ""

    def apply(self, debit: str, credit: str, asset: int, amount: int) -> None:
        bal = self.balance
        bal[(debit, asset)] = bal.get((debit, asset), 0) - amount
        bal[(credit, asset)] = bal.get((credit, asset), 0) + amount


def build_network(directory: Path, cfg: BuildConfig) -> Network:
    """Create the network in ``directory`` and its ``cfg.transfers`` transfers; returns it open."""
    settings = load_settings(directory)
    network = Network.open(settings, plugins=PluginManager(load_entry_points=False))
    batches = max(1, -(-cfg.transfers // BATCH_MAX))
    start = time.time_ns() - cfg.months * 30 * DAY_NS
    step = cfg.months * 30 * DAY_NS // batches
    clock_at = [start]
    ledger = Ledger(network.store, clock=lambda: clock_at[0])
    holders, assets = _setup(network, ledger, cfg)
    builder = _Builder(holders, assets, cfg)
    log = network.money.log
    places = {slug: 0 for slug in ("", FUND, *VENUES, *PRODUCERS)}
    network.store.write(
        lambda tx: places.update({s: log.notes.places.number_in(tx, s) for s in places})
    )
    user_data = {slug: place_user_data(number) for slug, number in places.items()}
    made = 0
    while made < cfg.transfers:
        size = min(BATCH_MAX, cfg.transfers - made)
        transfers: list[Transfer] = []
        ops: list[tuple[int, Operation]] = []  # (row in the batch, record)
        remittances: list[Remittance] = []
        for row in range(size):
            kind, debit, credit, asset, amount, place = builder.event()
            builder.apply(debit, credit, asset, amount)
            made += 1
            ref = REF_BASE + made
            transfers.append(
                Transfer(id=builder.next_id(), debit_account_id=builder.account(debit, asset),
                         credit_account_id=builder.account(credit, asset), amount=amount,
                         ledger=asset, code=int(kind), user_data_128=ref,
                         user_data_64=user_data[place])
            )  # fmt: skip
            if kind != A.SALE and kind != A.TRANSFER:
                op_id = f"bench-{made}"
                key = log.key(kind, op_id)
                ops.append((row, Operation(key=key, kind=kind, operation_id=op_id, ref=str(ref),
                                           amount=amount, instance=place, author="bench",
                                           created_at=clock_at[0] / 1e9)))  # fmt: skip
                if kind == A.REMITTANCE:
                    day = time.strftime("%Y-%m-%d", time.gmtime(clock_at[0] / 1e9))
                    remittances.append(Remittance(key=key, asset_id=asset, instance=place,
                                                  amount=amount, bank_reference=f"VIR-{made}",
                                                  bank_date=day, author="bench",
                                                  created_at=clock_at[0] / 1e9))  # fmt: skip

        def write(tx: Tx, transfers: list[Transfer] = transfers,
                  ops: list[tuple[int, Operation]] = ops,
                  remittances: list[Remittance] = remittances) -> None:  # fmt: skip
            first_seq = ledger.head_in(tx.txn).seq + 1
            results = ledger.create_transfers_in(tx, transfers)
            if any(r != CreateTransferResult.OK for r in results):
                raise RuntimeError(f"bench build: unexpected results {set(results)}")
            for row, op in ops:
                log.records.put(tx, op)
                log.notes.note_in(tx, first_seq + row, _note(op))
            for remittance in remittances:
                log.remittances.put(tx, remittance)

        network.store.write(write)
        clock_at[0] += step
    return network


def _note(op: Operation) -> OperationNote:
    return OperationNote(
        kind=int(op.kind), operation_id=op.operation_id, amount=op.amount,
        instance=op.instance, author=op.author, created_at=op.created_at,
    )  # fmt: skip
