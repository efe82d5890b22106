"""The terminal host: pairs once, then turns each card read into a signed, retried tap.

:class:`TerminalHost` is what ``tirelire nfc`` runs (and what the tests and the benchmark run
in a thread):

- :meth:`TerminalHost.pair` makes the key pair on this machine, saves it, then spends the
  pairing code; :meth:`TerminalHost.hello` checks the pairing at start-up;
- :meth:`TerminalHost.tap` sends one card read. The tap id is chosen here, once per read. When
  no answer comes (connection refused, timeout, broken connection) or the server answers 5xx,
  the same tap (same id, newly signed) is sent again after 0.2 s, 0.4 s... (at most 2 s apart)
  for ``retry_for`` seconds: the server answers a tap id it already handled with the stored
  outcome, so a retry never charges twice, whether the first attempt was lost before or after
  its commit;
- each tap prints one line: the card, what happened (paid and in which assets, shortfall,
  unknown card, nothing to pay, refused, error) and how long it took.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from core.terminals.signing import (
    new_private_key,
    private_key_from_text,
    private_key_text,
    public_key_text,
)
from hosts.nfc.client import TerminalClient
from hosts.nfc.errors import HostError, ServerUnreachable
from hosts.nfc.state import TerminalState, save_state

__all__ = ["TapReport", "TerminalHost", "describe"]

_FIRST_DELAY = 0.2
_MAX_DELAY = 2.0


@dataclass
class TapReport:
    """What became of one card read."""

    tap_id: str
    uid: str
    #: the outcome's status (``paid``, ``shortfall``...) or ``error`` when none came
    status: str
    outcome: dict[str, Any] = field(default_factory=dict)
    replayed: bool = False
    attempts: int = 1
    #: from the card's detection to the server's answer
    latency_ms: float = 0.0
    error: str = ""


def _amount(value: int, decimals: int = 2) -> str:
    if decimals <= 0:
        return str(value)
    whole, part = divmod(abs(value), 10**decimals)
    return f"{'-' if value < 0 else ''}{whole}.{part:0{decimals}d}"


def describe(report: TapReport) -> str:
    """One line saying what a tap did (English, for the terminal's console)."""
    outcome = report.outcome
    status = report.status
    if status == "paid":
        legs = " + ".join(
            f"{leg['asset_code']} {_amount(leg['amount'], leg.get('decimals', 2))}"
            for leg in outcome.get("legs", [])
        )
        text = f"PAID {_amount(outcome.get('amount', 0), outcome.get('decimals', 2))} ({legs})"
    elif status == "shortfall":
        missing = _amount(outcome.get("shortfall", 0), outcome.get("decimals", 2))
        text = f"SHORTFALL {missing} {outcome.get('asset_code', '')} missing, nothing taken"
    elif status == "unknown_card":
        text = "UNKNOWN CARD"
    elif status == "card_lost":
        text = "CARD DECLARED LOST"
    elif status == "idle":
        text = f"NOTHING TO PAY ({outcome.get('message') or 'nothing waits on this terminal'})"
    elif status == "error":
        text = f"ERROR {report.error}"
    else:
        text = f"{status.upper()} {outcome.get('message', '')}".strip()
    number = outcome.get("card_number")
    card = f"card {report.uid}" + (f" (no {number})" if number else "")
    retried = f", {report.attempts} attempts" if report.attempts > 1 else ""
    again = ", answer of an earlier attempt" if report.replayed else ""
    return f"{card}: {text} [{report.latency_ms:.0f} ms{retried}{again}]"


class TerminalHost:
    """One paired terminal: its state, its client, and how it reports taps."""

    def __init__(
        self,
        client: TerminalClient,
        state: TerminalState,
        *,
        out: Callable[[str], None] = print,
        retry_for: float = 30.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.client = client
        self.state = state
        self.out = out
        self.retry_for = retry_for
        self.sleep = sleep
        self._key = private_key_from_text(state.private_key) if state.private_key else None

    # -- pairing ---------------------------------------------------------------------------

    @classmethod
    def pair(
        cls, client: TerminalClient, code: str, state_path: Path, **options: Any
    ) -> TerminalHost:
        """Make a key pair here, save it, then pair with ``code``; HostError if refused."""
        key = new_private_key()
        state = TerminalState(
            server=client.server, private_key=private_key_text(key), public_key=public_key_text(key)
        )
        save_state(state_path, state)
        try:
            status, answer = client.pair(code, state.public_key)
        except ServerUnreachable as exc:
            raise HostError(f"cannot reach the server at {client.server}: {exc}") from exc
        if status != 201:
            raise HostError(f"pairing refused: {_detail(status, answer)}")
        state.terminal_id = str(answer["terminal_id"])
        state.name = str(answer.get("name", ""))
        state.instance = str(answer.get("instance", ""))
        state.paired_at = client.now()
        save_state(state_path, state)
        return cls(client, state, **options)

    def hello(self) -> dict[str, Any]:
        """Check the pairing with the server (signed); HostError if refused or unreachable."""
        try:
            status, answer = self._signed("/api/terminals/hello", {})
        except ServerUnreachable as exc:
            raise HostError(f"cannot reach the server at {self.client.server}: {exc}") from exc
        if status != 200:
            raise HostError(f"the server refused this terminal: {_detail(status, answer)}")
        return answer

    def _signed(self, path: str, payload: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        if self._key is None or not self.state.terminal_id:
            raise HostError("this terminal is not paired: run with --pair CODE")
        return self.client.signed(path, payload, key=self._key, terminal_id=self.state.terminal_id)

    # -- taps ------------------------------------------------------------------------------

    def tap(self, uid: str, *, detected_at: float | None = None) -> TapReport:
        """Send one card read, retrying on silence (same tap id); print and return the report."""
        started = detected_at if detected_at is not None else time.perf_counter()
        tap_id = "tap-" + uuid.uuid4().hex
        payload = {"tap_id": tap_id, "uid": uid, "read_at": round(time.time(), 3)}
        deadline = time.monotonic() + self.retry_for
        delay = _FIRST_DELAY
        attempts = 0
        corrected_clock = False
        while True:
            attempts += 1
            problem = ""
            try:
                status, answer = self._signed("/api/terminals/tap", payload)
            except ServerUnreachable as exc:
                status, answer, problem = 0, {}, f"server unreachable ({exc})"
            if status == 200:
                report = TapReport(
                    tap_id=tap_id, uid=uid, status=str(answer["outcome"]["status"]),
                    outcome=answer["outcome"], replayed=bool(answer.get("replayed")),
                    attempts=attempts, latency_ms=(time.perf_counter() - started) * 1000,
                )  # fmt: skip
                break
            if (
                status == 401
                and answer.get("reason") in {"stale", "future"}
                and not corrected_clock
            ):
                corrected_clock = True  # the client learned the server's time from the refusal
                continue
            if status and status < 500:
                report = self._failed(tap_id, uid, attempts, started, _detail(status, answer))
                break
            problem = problem or f"server error {status}"
            if time.monotonic() + delay > deadline:
                report = self._failed(
                    tap_id, uid, attempts, started,
                    f"not confirmed after {attempts} attempts ({problem}); tap id {tap_id}",
                )  # fmt: skip
                break
            self.out(f"{_now()} card {uid}: {problem}, sending tap {tap_id} again in {delay:.1f} s")
            self.sleep(delay)
            delay = min(delay * 2, _MAX_DELAY)
        self.out(f"{_now()} {describe(report)}")
        return report

    @staticmethod
    def _failed(tap_id: str, uid: str, attempts: int, started: float, error: str) -> TapReport:
        return TapReport(
            tap_id=tap_id, uid=uid, status="error", attempts=attempts, error=error,
            latency_ms=(time.perf_counter() - started) * 1000,
        )  # fmt: skip


def _now() -> str:
    return time.strftime("%H:%M:%S")


def _detail(status: int, answer: dict[str, Any]) -> str:
    detail = str(answer.get("detail") or answer.get("title") or "")
    reason = answer.get("reason") or answer.get("code")
    return f"{detail} ({status}{', ' + str(reason) if reason else ''})".strip()
