"""Emulated cards on nfcpy's ``udp`` device: what tests and ``tirelire bench nfc`` tap with.

nfcpy's ``udp:HOST:PORT`` driver simulates the radio link over UDP datagrams: a reader opened
on ``udp:127.0.0.1:PORT`` sends its polling commands to that port, and a device listening on
the same port answers as a card. :class:`EmulatedCard` is that card, in a thread:

- ``EmulatedCard.type3(port)``: a Type 3 (FeliCa) card at 212 kbps. It answers polling
  (SENSF_REQ) with ``01 + IDm + PMm + system code``; the PMm timing bytes are ``FF`` and the
  system code ``12FC``, so nfcpy activates it as a plain Type 3 tag and ``tag.identifier`` is
  the IDm (8 bytes: 16 hex digits).
- ``EmulatedCard.type_a(port)``: a Type A card at 106 kbps with a 4-byte UID (the common
  MIFARE Classic kind: SENS_RES ``0400``, SEL_RES ``08``). It answers anticollision and
  selection, then READ commands (the reader's presence check) with 16 bytes.

:meth:`EmulatedCard.present` puts a card with a given UID on the reader (changing the UID
also takes the previous card away: the reader's presence check sees another identifier);
:meth:`EmulatedCard.remove` takes it away (the card stops answering, and
:meth:`EmulatedCard.wait_polled` returns once the reader polls again: it noticed). The socket
stays open between presentations, bound to ``127.0.0.1`` only (nfcpy's own listener binds
every interface, so this module binds it itself before listening).
"""

from __future__ import annotations

import errno
import select
import threading
import time
from typing import Any

import nfc.clf
import nfc.clf.udp

__all__ = ["EmulatedCard"]

_PMM = "FF" * 8  # timing bytes: FF makes nfcpy treat the card as a plain Type 3 tag
_SYSTEM_CODE = "12FC"
_LISTEN_SLICE = 0.02  # seconds per listen call: how fast a new UID or a removal applies
_TYPE_A_SWAP_GAP = 0.5  # seconds a swapped Type A card stays silent (nfcpy's check: 3 x 0.1 s)


class _LoopbackUdpDevice(nfc.clf.udp.Device):  # type: ignore[misc]
    """nfcpy's UDP device, listening on 127.0.0.1 and keeping its socket between listens."""

    def _bind_socket(self, time_to_return: float) -> bool:
        try:
            self.socket.bind(("127.0.0.1", self.addr[1]))
        except OSError as exc:
            if exc.errno == errno.EINVAL:  # already bound by an earlier listen: keep it
                return True
            if exc.errno == errno.EADDRINUSE:
                return False
            raise
        return True


class EmulatedCard:
    """A card that can be put on and taken off a reader opened on ``udp:127.0.0.1:<port>``."""

    def __init__(self, port: int, technology: str) -> None:
        if technology not in {"212F", "106A"}:
            raise ValueError("technology is 212F (Type 3) or 106A (Type A)")
        self.port = port
        self.technology = technology
        self._device = _LoopbackUdpDevice("127.0.0.1", port)
        self._lock = threading.Lock()
        self._target: Any = None
        self._uid = ""
        self._silent_until = 0.0
        self._presented = threading.Event()
        self._polled = threading.Event()
        self._stop = threading.Event()
        self._bound = threading.Event()
        self._thread = threading.Thread(target=self._run, name="emulated-card", daemon=True)

    @classmethod
    def type3(cls, port: int) -> EmulatedCard:
        """A Type 3 (FeliCa) card emulator."""
        return cls(port, "212F")

    @classmethod
    def type_a(cls, port: int) -> EmulatedCard:
        """A Type A card emulator with 4-byte UIDs."""
        return cls(port, "106A")

    # -- control ---------------------------------------------------------------------------

    def start(self) -> EmulatedCard:
        """Start answering (no card on the reader yet); returns self."""
        self._device._create_socket()
        if not self._device._bind_socket(0):
            raise OSError(errno.EADDRINUSE, f"UDP port {self.port} is in use")
        self._bound.set()
        self._thread.start()
        return self

    def present(self, uid: str) -> None:
        """Put the card ``uid`` (hex: 16 digits for Type 3, 8 for Type A) on the reader."""
        raw = bytes.fromhex(uid)
        if self.technology == "212F":
            if len(raw) != 8:
                raise ValueError("a Type 3 IDm has 8 bytes (16 hex digits)")
            target = nfc.clf.LocalTarget("212F")
            target.sensf_res = bytearray.fromhex("01" + raw.hex() + _PMM + _SYSTEM_CODE)
        else:
            if len(raw) != 4:
                raise ValueError("this Type A card has a 4-byte UID (8 hex digits)")
            target = nfc.clf.LocalTarget("106A")
            target.sens_res = bytearray.fromhex("0400")
            target.sdd_res = bytearray(raw)
            target.sel_res = bytearray.fromhex("08")
        with self._lock:
            if self._target is not None and self.technology == "212F":
                # the listening loop reads the response from this object at every poll:
                # changing it in place answers the very next poll with the new IDm
                self._target.sensf_res = target.sensf_res
                target = self._target
            if self.technology == "106A" and self._uid and self._uid != raw.hex().upper():
                # a Type A reader only notices a swap when its presence check goes unanswered
                self._silent_until = time.monotonic() + _TYPE_A_SWAP_GAP
            self._target = target
            self._uid = raw.hex().upper()
        self._presented.set()

    def remove(self) -> None:
        """Take the card away: it stops answering."""
        with self._lock:
            self._target = None
            self._uid = ""
            self._polled.clear()
        self._presented.clear()

    def wait_polled(self, timeout: float = 10.0) -> bool:
        """Wait until the reader polls again after :meth:`remove` (it noticed the card left)."""
        return self._polled.wait(timeout)

    def stop(self) -> None:
        """Stop the thread and close the socket."""
        self._stop.set()
        self._presented.set()
        if self._thread.is_alive():
            self._thread.join(timeout=5)
        sock = self._device.socket
        if sock is not None:
            sock.close()
            self._device.socket = None

    def __enter__(self) -> EmulatedCard:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- the card's side of the radio link -------------------------------------------------

    def _run(self) -> None:
        while not self._stop.is_set():
            if not self._presented.is_set():
                self._listen_absent(0.05)
                continue
            with self._lock:
                target = self._target
            if target is None or self._stop.is_set():
                continue
            try:
                if self.technology == "212F":
                    self._device.listen_ttf(target, _LISTEN_SLICE)
                else:
                    self._answer_type_a(target)
            except (OSError, nfc.clf.CommunicationError):
                if self._stop.is_set():
                    return

    def _listen_absent(self, timeout: float) -> None:
        """No card: read what the reader sends without answering, noting its polls."""
        sock = self._device.socket
        if sock is None or not select.select([sock], [], [], timeout)[0]:
            return
        try:
            frame, _addr = sock.recvfrom(1024)
        except OSError:
            return
        brty, _, data = frame.partition(b" ")
        if (brty == b"106A" and data == b"26") or (brty.endswith(b"F") and data[:4] == b"0600"):
            self._polled.set()

    def _answer_type_a(self, target: Any) -> None:
        activated = self._device.listen_tta(target, _LISTEN_SLICE)
        if activated is None or activated.tt2_cmd is None:
            return
        command = bytes(activated.tt2_cmd)
        if (
            command[:1] == b"\x30" and time.monotonic() >= self._silent_until
        ):  # READ: four pages from the given one
            page = bytes(target.sdd_res) + bytes([_bcc(target.sdd_res)]) + bytes(11)
            self._device.send_rsp_recv_cmd(activated, bytearray(page), 0)


def _bcc(uid: Any) -> int:
    value = 0
    for byte in uid:
        value ^= byte
    return value
