"""``tirelire nfc``: run a card terminal (pair it once, then read cards and send taps).

::

    tirelire nfc --device usb --server http://le-bisik.localhost:8000 --pair K7QM-4XTD-9PZ2
    tirelire nfc --device usb --server http://le-bisik.localhost:8000      # afterwards

The reader is opened first (a wrong ``--device`` never spends a pairing code), then the
terminal pairs (``--pair``) or checks its pairing, then prints one line per card. Anything
that stops it (unknown device, unreachable server, refused code, revoked terminal) ends with
one line ``tirelire: error: ...`` and status 1; Ctrl-C stops it cleanly.
"""

from __future__ import annotations

import json
import signal
import threading
import time
from pathlib import Path
from typing import Any

import click

from hosts.nfc.bench import MODES, run_bench_nfc
from hosts.nfc.client import TerminalClient, normalize_server
from hosts.nfc.errors import HostError
from hosts.nfc.host import TerminalHost
from hosts.nfc.reader import CardReader, check_device, check_targets
from hosts.nfc.state import default_state_path, load_state

__all__ = ["bench_nfc", "nfc_command", "start_host"]


def start_host(
    *,
    device: str,
    server: str,
    pair_code: str | None,
    state_path: Path,
    targets: str = "106A,212F",
    timeout: float = 5.0,
    retry_for: float = 30.0,
    out: Any = click.echo,
) -> tuple[TerminalHost, CardReader, dict[str, Any]]:
    """Open the reader, pair or check the pairing; HostError on anything wrong."""
    check_device(device)
    wanted = check_targets(targets)
    address = normalize_server(server)
    state = None if pair_code else load_state(state_path)
    if not pair_code:
        if state is None or not state.terminal_id:
            raise HostError(
                "this terminal is not paired yet: run with --pair CODE (an admin makes a code "
                "in the admin panel, Terminals)"
            )
        if state.server != address:
            raise HostError(
                f"{state_path} pairs this terminal with {state.server}, not {address}: pair again "
                "with --pair CODE, or choose another --state file"
            )
    reader = CardReader(device, targets=wanted).open()
    try:
        client = TerminalClient(address, timeout=timeout)
        if state is None:
            host = TerminalHost.pair(
                client, pair_code or "", state_path, out=out, retry_for=retry_for
            )
        else:
            host = TerminalHost(client, state, out=out, retry_for=retry_for)
        identity = host.hello()
    except BaseException:
        reader.close()
        raise
    return host, reader, identity


@click.command("nfc")
@click.option(
    "--device", required=True, help="Card reader: usb[:...], tty:PORT:DRIVER, udp:HOST:PORT."
)
@click.option(
    "--server", required=True, help="The instance's address, e.g. http://le-bisik.localhost:8000."
)
@click.option(
    "--pair",
    "pair_code",
    default=None,
    help="Pair with this one-time code (admin panel, Terminals).",
)
@click.option(
    "--state",
    "state_file",
    type=click.Path(dir_okay=False),
    default=None,
    help="State file (default: $TIRELIRE_NFC_STATE or ~/.local/state/tirelire/terminal.json).",
)
@click.option(
    "--targets", default="106A,212F", show_default=True, help="Card technologies to read."
)
@click.option(
    "--timeout", default=5.0, show_default=True, type=float, help="Seconds to wait for an answer."
)
@click.option("--retry-for", default=30.0, show_default=True, type=float,
              help="Seconds a tap is sent again when the server does not answer.")  # fmt: skip
def nfc_command(
    device: str, server: str, pair_code: str | None, state_file: str | None, targets: str,
    timeout: float, retry_for: float,
) -> None:  # fmt: skip
    """Run a card terminal: pair it once, then send each card read to the server."""
    if timeout <= 0 or retry_for < 0:
        raise click.UsageError("--timeout must be > 0 and --retry-for >= 0")
    state_path = Path(state_file).expanduser() if state_file else default_state_path()
    host, reader, identity = start_host(
        device=device, server=server, pair_code=pair_code, state_path=state_path,
        targets=targets, timeout=timeout, retry_for=retry_for,
    )  # fmt: skip
    verb = "paired as" if pair_code else "terminal"
    click.echo(
        f"{verb} {identity['name']!r} ({identity['terminal_id']}) of {identity['instance_name']}, "
        f"mode {identity['mode_label']}; state in {state_path}"
    )
    stop = threading.Event()
    previous = signal.signal(signal.SIGINT, lambda *_: stop.set())
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    click.echo(f"reading cards on {device} (Ctrl-C to stop)")

    def on_card(uid: str, detected_at: float) -> None:
        try:
            host.tap(uid, detected_at=detected_at)
        except Exception as exc:  # one bad tap must not stop the counter
            click.echo(f"{time.strftime('%H:%M:%S')} card {uid}: ERROR {exc}")

    try:
        reader.run(on_card, stop)
    finally:
        signal.signal(signal.SIGINT, previous)
        reader.close()
        host.client.close()
    click.echo("stopped")


@click.command("nfc")
@click.option("--taps", default=1000, show_default=True, type=int, help="Taps to measure.")
@click.option("--warmup", default=20, show_default=True, type=int, help="Taps not counted first.")
@click.option(
    "--mode",
    type=click.Choice(MODES),
    default="charge",
    show_default=True,
    help="charge: an amount per tap; cash_register: each tap pays an order.",
)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def bench_nfc(taps: int, warmup: int, mode: str, as_json: bool) -> None:  # fmt: skip
    """Tap-to-committed-sale latency: server, terminal host and an emulated card (udp)."""
    if taps < 1 or warmup < 0:
        raise click.UsageError("--taps must be >= 1 and --warmup >= 0")
    figures = run_bench_nfc(taps, warmup=warmup, mode=mode)
    if as_json:
        click.echo(json.dumps(figures))
        return
    click.echo(
        f"{figures['taps']} taps (+{figures['warmup']} warm-up), mode {figures['mode']}, "
        f"{figures['card']}, {figures['server']}"
    )
    for label in ("p50_ms", "p90_ms", "p99_ms", "max_ms", "mean_ms"):
        click.echo(f"  {label[:-3]:<6} {figures[label]:>8.2f} ms")
    click.echo(f"  {figures['taps_per_second']:.1f} taps/s, {figures['errors']} errors, "
               f"{figures['sales_committed']} sales committed, invariants "
               f"{'ok' if figures['invariants_ok'] else 'BROKEN'}")  # fmt: skip
