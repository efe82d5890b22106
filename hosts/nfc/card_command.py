"""``tirelire nfc-card``: a card to tap on a terminal whose reader is nfcpy's udp device.

::

    tirelire nfc --device udp:127.0.0.1:9999 --server http://le-bisik.localhost:8000 --state ...
    tirelire nfc-card --port 9999        # then type a card's UID and Enter to tap it

Each line read on standard input is a card's UID (hex; ``:``, ``-`` and spaces ignored): the
card is put on the reader (replacing the one there); an empty line takes it away; end of
input (Ctrl-D) or Ctrl-C stops. After an empty line the next line is read once the reader
noticed the card left (it polls again), as with a card lifted by hand. The card answers on
127.0.0.1 only (:mod:`hosts.nfc.emulate`): Type A cards (``106A``, the default: 4-byte
UIDs, 8 hex digits, like the demo's cards) or Type 3 cards (``212F``: 8-byte IDm, 16 hex
digits). A terminal reads a card once per presentation: take it away (empty line) before
tapping the same card again.
"""

from __future__ import annotations

import re
import signal
import sys

import click

from hosts.nfc.emulate import EmulatedCard

__all__ = ["nfc_card_command"]

_SEPARATORS = re.compile(r"[\s:-]")
#: how long a lifted card waits for the reader to poll again (to notice it left)
_NOTICE_SECONDS = 5.0


@click.command("nfc-card")
@click.option(
    "--port",
    required=True,
    type=click.IntRange(1, 65535),
    help="The UDP port of the terminal's reader (its --device udp:127.0.0.1:PORT).",
)
@click.option(
    "--technology",
    type=click.Choice(["106A", "212F"]),
    default="106A",
    show_default=True,
    help="106A: Type A, 4-byte UIDs; 212F: Type 3, 8-byte IDm.",
)
def nfc_card_command(port: int, technology: str) -> None:  # fmt: skip
    """Emulate a card on nfcpy's udp device: type a UID to tap it, an empty line to lift it."""
    card = EmulatedCard(port, technology)
    try:
        card.start()
    except OSError as exc:
        raise click.ClickException(f"cannot listen on udp:127.0.0.1:{port}: {exc}") from exc
    previous = signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    kind = "Type A" if technology == "106A" else "Type 3"
    click.echo(f"{kind} card on udp:127.0.0.1:{port}: type a UID and Enter to tap it, an empty "
               "line to take it away, Ctrl-D to stop")  # fmt: skip
    try:
        for line in click.get_text_stream("stdin"):
            uid = _SEPARATORS.sub("", line).upper()
            if not uid:
                card.remove()  # then wait until the reader noticed, as a hand would
                noticed = card.wait_polled(_NOTICE_SECONDS)
                click.echo("card taken away" if noticed else "card taken away (no reader polls)")
                continue
            try:
                card.present(uid)
            except ValueError as exc:
                click.echo(f"error: {exc}")
                continue
            click.echo(f"card {uid} on the reader")
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
        card.stop()
    click.echo("stopped")
