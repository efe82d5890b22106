"""``tirelire bench http``: payments per second through the sale endpoint of a real server.

Workload (written down so figures can be compared; docs/performance.md):

1. A fresh data directory gets one instance (``bench``), a cashier API key, and ``wallets``
   anonymous cards, each funded with the primary asset through the services (grants, one
   write), far more than the run can spend.
2. ``tirelire serve`` (granian, ``workers`` processes) starts on a free port of 127.0.0.1,
   exactly as in production (:func:`hosts.bench_serve.running_server`).
3. The load generator holds ``connections`` keep-alive connections for ``seconds`` seconds
   (after a short warm-up) on ``POST /api/sales`` with ``Authorization: Bearer <key>`` and
   ``Host: bench.localhost``; each request is a one-asset sale of 1 cent from the next card
   (by UID) with an operation id never used before. wrk runs a Lua script that builds the
   bodies; without wrk, the asyncio client of :mod:`hosts.bench_serve` does.
4. In the same run, on the same server: ``GET /-/hello`` (no store access) with the same
   connections and duration: what the framework and the server cost alone.
5. The server stops; the store is opened again, the ledger verified (hash chain, balances
   replayed) and the money invariants checked; the sale operations recorded are counted.
"""

from __future__ import annotations

import secrets
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from core.accounts import Role
from core.instances import Instance
from core.network import Network
from core.settings import load_settings
from core.store import Tx
from core.wallets import PRIMARY_ASSET_ID, ActionKind, WalletRef
from hosts.bench_serve import (
    load_with_python,
    load_with_wrk,
    pick_wrk,
    running_server,
)

__all__ = ["HttpBenchResult", "bench_http", "prepare_network"]

INSTANCE = "bench"
HOST = f"{INSTANCE}.localhost"
FUNDS = 10**12  # per card, in cents: never the limit of a run


@dataclass
class HttpBenchResult:
    """The figures of one run: payments, hello world, and what the store says afterwards."""

    generator: str
    seconds: float
    connections: int
    workers: int
    wallets: int
    payments: int
    payment_errors: int
    payments_per_s: float
    p50_ms: float
    p99_ms: float
    hello_requests: int
    hello_errors: int
    hello_per_s: float
    hello_p50_ms: float
    hello_p99_ms: float
    ratio_to_hello: float
    sales_recorded: int
    #: LMDB write transactions committed while the server ran (group commit: many sales each)
    commits: int
    ledger_ok: bool
    invariants_ok: bool

    def as_dict(self) -> dict[str, Any]:
        """The result as a JSON-ready dict."""
        return asdict(self)


def prepare_network(data_dir: Path, wallets: int) -> tuple[str, list[str]]:
    """A new network in ``data_dir``: the bench instance, a cashier key, funded cards.

    Returns the API key's secret and the cards' UIDs. Everything goes through the services.
    """
    with Network.open(load_settings(data_dir)) as network:
        network.instances.create(Instance(slug=INSTANCE, name="Banc d'essai"))
        _record, secret = network.api_keys.create(INSTANCE, Role.CASHIER, "bench http")
        uids = [f"{0x04000000 + n:08X}" for n in range(wallets)]
        rows = "\n".join(f"{uid},{n:06d}" for n, uid in enumerate(uids))
        report = network.money.import_cards(rows, by_instance=INSTANCE)
        if report.rejected:
            raise RuntimeError(f"bench cards refused: {report.rejected[:3]}")

        def fund(tx: Tx) -> None:
            for card in report.cards:
                network.money.grant_in(
                    tx, operation_id=f"bench-fund-{card.id}", wallet=WalletRef.card(card.id),
                    asset_id=PRIMARY_ASSET_ID, amount=FUNDS, reason="bench http",
                )  # fmt: skip

        network.store.write(fund)
    return secret, uids


def _last_txnid(data: Path) -> int:
    """The id of the store's last committed write transaction (LMDB counts them)."""
    with Network.open(load_settings(data)) as network:
        return int(network.store.env.info()["last_txnid"])


def _lua(secret: str, uids: list[str], prefix: str) -> str:
    """The wrk script: each request a sale of 1 cent from the next card, a fresh id."""
    cards = ",".join(f'"{u}"' for u in uids)
    return f"""
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer {secret}"
wrk.headers["Host"] = "{HOST}"
local uids = {{{cards}}}
local counter = 0
tid = 0
local ids = 0
function setup(thread)
  ids = ids + 1
  thread:set("tid", ids)
end
function request()
  counter = counter + 1
  local uid = uids[(counter % #uids) + 1]
  local body = '{{"operation_id":"{prefix}-' .. tid .. '-' .. counter ..
    '","amount":1,"asset_id":1,"card_uid":"' .. uid .. '"}}'
  return wrk.format(nil, "/api/sales", nil, body)
end
"""


def _python_sale(secret: str, uids: list[str], prefix: str, port: int) -> Any:
    """The asyncio generator's request maker: the same sales as the Lua script."""
    head = (
        f"POST /api/sales HTTP/1.1\r\nHost: {HOST}:{port}\r\n"
        f"Authorization: Bearer {secret}\r\nContent-Type: application/json\r\n"
    )

    def make(client: int, n: int) -> bytes:
        uid = uids[(client * 7919 + n) % len(uids)]
        body = (
            f'{{"operation_id":"{prefix}-{client}-{n}","amount":1,"asset_id":1,"card_uid":"{uid}"}}'
        )
        return f"{head}Content-Length: {len(body)}\r\n\r\n{body}".encode()

    return make


def _load_sales(
    wrk: str | None, port: int, secret: str, uids: list[str], seconds: float, connections: int,
    workdir: Path,
) -> dict[str, Any]:  # fmt: skip
    url = f"http://127.0.0.1:{port}/api/sales"
    prefix = secrets.token_hex(4)
    if wrk:
        script = workdir / f"sale-{prefix}.lua"
        script.write_text(_lua(secret, uids, prefix), encoding="utf-8")
        return load_with_wrk(url, seconds, connections, wrk, script=str(script))
    return load_with_python(url, seconds, connections, _python_sale(secret, uids, prefix, port))


def _load_hello(wrk: str | None, port: int, seconds: float, connections: int) -> dict[str, Any]:
    url = f"http://127.0.0.1:{port}/-/hello"
    if wrk:
        return load_with_wrk(url, seconds, connections, wrk)
    return load_with_python(url, seconds, connections)


def bench_http(
    *,
    seconds: float = 5,
    connections: int = 64,
    workers: int = 1,
    wallets: int = 1000,
    generator: str = "auto",
    data_dir: Path | None = None,
) -> HttpBenchResult:
    """Run the workload of this module and return its figures (see the module)."""
    wrk = pick_wrk(generator)
    with tempfile.TemporaryDirectory(prefix="tirelire-bench-http-") as tmp:
        workdir = Path(tmp)
        data = data_dir if data_dir is not None else workdir / "data"
        secret, uids = prepare_network(data, wallets)
        warmup = min(1.0, seconds / 4)
        txn_before = _last_txnid(data)
        with running_server("granian", data, workers=workers) as port:
            _load_sales(wrk, port, secret, uids, warmup, connections, workdir)
            sales = _load_sales(wrk, port, secret, uids, seconds, connections, workdir)
            _load_hello(wrk, port, warmup, connections)
            hello = _load_hello(wrk, port, seconds, connections)
        with Network.open(load_settings(data)) as network:
            commits = int(network.store.env.info()["last_txnid"]) - txn_before
            report = network.money.check_invariants()
            with network.store.read() as txn:
                recorded = sum(
                    1 for op in network.money.log.records.scan(txn) if op.kind == ActionKind.SALE
                )
    rate = sales["requests_per_second"]
    return HttpBenchResult(
        generator="wrk" if wrk else "python",
        seconds=seconds,
        connections=connections,
        workers=workers,
        wallets=wallets,
        payments=sales["requests"],
        payment_errors=sales["errors"],
        payments_per_s=rate,
        p50_ms=sales["p50_ms"],
        p99_ms=sales["p99_ms"],
        hello_requests=hello["requests"],
        hello_errors=hello["errors"],
        hello_per_s=hello["requests_per_second"],
        hello_p50_ms=hello["p50_ms"],
        hello_p99_ms=hello["p99_ms"],
        ratio_to_hello=rate / hello["requests_per_second"] if hello["requests_per_second"] else 0,
        sales_recorded=recorded,
        commits=commits,
        ledger_ok=report.ledger_ok,
        invariants_ok=report.ok,
    )
