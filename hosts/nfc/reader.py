"""Reading cards with nfcpy: each card that comes near the reader is handed over once.

The device path is nfcpy's: ``usb[:vendor[:product]]`` or ``usb[:bus[:device]]``,
``tty:PORT:DRIVER`` (``tty:USB0:pn532``), ``com:PORT:DRIVER``, or ``udp[:host][:port]``,
nfcpy's simulated link (tests and the benchmark use ``udp:127.0.0.1:PORT`` with an emulated
card, see :mod:`hosts.nfc.emulate`).

:meth:`CardReader.run` loops on ``ContactlessFrontend.connect(rdwr=...)``: when a card is
activated, its identifier (a Type A UID, a Type 3 IDm: ``tag.identifier``) goes to the
callback, then nfcpy waits until the card has left the field (its presence check) before
looking for the next one, so a card resting on the reader is charged once.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from typing import Any

import nfc
import nfc.clf

from hosts.nfc.errors import HostError

__all__ = ["DEFAULT_TARGETS", "CardReader", "check_device"]

DEFAULT_TARGETS = ("106A", "212F")
_DEVICE_RE = re.compile(
    r"^(usb(:[0-9a-fA-F]{1,4}(:[0-9a-fA-F]{1,4})?)?"
    r"|tty:[\w.-]+(:\w+)?"
    r"|com:\w+(:\w+)?"
    r"|udp(:[\w.-]+)?(:\d{1,5})?)$"
)
_TARGETS = {"106A", "106B", "212F", "424F"}


def check_device(path: str) -> str:
    """The device path if nfcpy could mean it; HostError naming the accepted forms."""
    if not _DEVICE_RE.match(path or ""):
        raise HostError(
            f"unknown device {path!r}: use usb[:VENDOR[:PRODUCT]], tty:PORT:DRIVER or udp:HOST:PORT"
        )
    return path


def check_targets(text: str) -> tuple[str, ...]:
    """``106A,212F`` → the card technologies to look for; HostError on anything else."""
    targets = tuple(t.strip().upper() for t in text.split(",") if t.strip())
    if not targets or not set(targets) <= _TARGETS:
        raise HostError(f"--targets {text!r}: choose among {', '.join(sorted(_TARGETS))}")
    return targets


OnCard = Callable[[str, float], None]


class CardReader:
    """One card reader opened with nfcpy."""

    def __init__(self, device: str, *, targets: tuple[str, ...] = DEFAULT_TARGETS) -> None:
        self.device = check_device(device)
        self.targets = targets
        self.clf: Any = None

    def open(self) -> CardReader:
        """Open the reader; HostError when nothing answers at that path."""
        clf = nfc.ContactlessFrontend()
        try:
            found = clf.open(self.device)
        except (OSError, ValueError) as exc:
            reason = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
            raise HostError(f"cannot open the card reader {self.device!r}: {reason}") from exc
        if not found:
            raise HostError(f"no card reader found at {self.device!r}")
        self.clf = clf
        return self

    def close(self) -> None:
        """Release the reader."""
        if self.clf is not None:
            self.clf.close()
            self.clf = None

    def run(self, on_card: OnCard, stop: threading.Event) -> None:
        """Hand each card's identifier to ``on_card(uid, detected_at)`` until ``stop`` is set.

        ``detected_at`` is ``time.perf_counter()`` when the reader discovered the card. A
        reader that stops answering (unplugged) raises HostError.
        """
        if self.clf is None:
            self.open()
        detected = [0.0]

        def on_discover(target: Any) -> bool:
            detected[0] = time.perf_counter()
            return True

        def on_connect(tag: Any) -> bool:
            on_card(bytes(tag.identifier).hex().upper(), detected[0])
            return True  # wait until the card leaves before looking for the next one

        options = {
            "targets": list(self.targets),
            "on-discover": on_discover,
            "on-connect": on_connect,
            "iterations": 1,
            "interval": 0.1,
            "beep-on-connect": True,
        }
        while not stop.is_set():
            result = self.clf.connect(rdwr=options, terminate=stop.is_set)
            if result is False and not stop.is_set():
                raise HostError(f"the card reader {self.device!r} stopped answering")
