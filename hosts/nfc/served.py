"""A real ``tirelire serve`` in a subprocess: what the benchmark and the terminal tests talk to.

:class:`ServerProcess` starts the production server (granian, one worker) on 127.0.0.1 and a
given port, in its own process group, waits until ``/-/health`` answers, and stops it
gracefully (``stop``) or abruptly (``kill``: SIGKILL to the whole group, as a power cut would),
after which ``start`` brings it back on the same port and data directory.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from hosts.serving import ServeError

__all__ = ["ServerProcess"]

ROOT = Path(__file__).resolve().parents[2]


class ServerProcess:
    """``python -m hosts serve --port PORT --data DIR`` that can be stopped and started again."""

    def __init__(
        self, data_dir: Path, port: int, *, env: dict[str, str] | None = None,
        log_path: Path | None = None,
    ) -> None:  # fmt: skip
        self.data_dir = Path(data_dir)
        self.port = port
        self.env = {**os.environ, **(env or {})}
        self.env["PYTHONPATH"] = os.pathsep.join(
            p for p in (self.env.get("PYTHONPATH", ""), str(ROOT)) if p
        )
        self.log_path = log_path or self.data_dir.parent / f"server-{port}.log"
        self.process: subprocess.Popen[bytes] | None = None

    def address(self, slug: str | None = None) -> str:
        """``http://<slug>.localhost:<port>`` (or the network's home)."""
        host = "localhost" if slug is None else f"{slug}.localhost"
        return f"http://{host}:{self.port}"

    def start(self, timeout: float = 30.0) -> ServerProcess:
        """Start the server and wait until it answers; ServeError with its log's end if not."""
        command = [sys.executable, "-m", "hosts", "serve", "--port", str(self.port)]
        command += ["--data", str(self.data_dir)]
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                command, stdout=log, stderr=subprocess.STDOUT, env=self.env,
                start_new_session=True,
            )  # fmt: skip
        deadline = time.monotonic() + timeout
        url = f"http://127.0.0.1:{self.port}/-/health"
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise ServeError(f"the server exited: {self.log_tail()}")
            try:
                with urllib.request.urlopen(url, timeout=1) as response:
                    if response.status == 200:
                        return self
            except OSError:
                time.sleep(0.1)
        self.kill()
        raise ServeError(f"the server did not answer within {timeout:.0f} s: {self.log_tail()}")

    def log_tail(self, lines: int = 5) -> str:
        """The end of the server's log, for error messages."""
        try:
            text = self.log_path.read_text("utf-8", errors="replace")
        except OSError:
            return ""
        return " | ".join(text.strip().splitlines()[-lines:])

    def _signal(self, sig: int) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        try:
            os.killpg(self.process.pid, sig)
        except ProcessLookupError:
            return

    def stop(self, timeout: float = 15.0) -> bool:
        """Stop gracefully (SIGTERM), then by force if it does not exit in ``timeout``.

        Returns True when the server stopped by itself, False when it had to be killed.
        """
        if self.process is None:
            return True
        self._signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            return False
        self.process = None
        return True

    def kill(self) -> None:
        """Stop at once: SIGKILL to the server and its workers, like a power cut."""
        if self.process is None:
            return
        self._signal(signal.SIGKILL)
        self.process.wait(timeout=15)
        self.process = None

    def __enter__(self) -> ServerProcess:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
