"""Running the web host under a production ASGI server, after checking what can go wrong.

The server is granian by default (measured about 1.5 times the requests per second of uvicorn
with uvloop and httptools on ``/-/health``, with a lower p99; see docs/performance.md).
uvicorn stays available with ``--server uvicorn`` (a development dependency, so it may not be
installed).

Each worker process imports :func:`hosts.web.app.app_factory`, which opens the store itself
from ``TIRELIRE_DATA``: no LMDB environment crosses a fork. Before starting, the data directory
must be creatable and writable and the port free: :class:`ServeError` says which, in one line.
"""

from __future__ import annotations

import os
import socket
import tempfile
from pathlib import Path

__all__ = [
    "APP_FACTORY",
    "SERVERS",
    "ServeError",
    "check_data_dir",
    "check_port",
    "free_port",
    "run_server",
]

APP_FACTORY = "hosts.web.app:app_factory"
#: seconds a stopping worker has to finish its requests before it is killed: a payment takes
#: milliseconds, while a cashier's live page (server-sent events) would hold the stop for ever
WORKERS_KILL_TIMEOUT = 5
SERVERS = ("granian", "uvicorn")


class ServeError(Exception):
    """A server cannot start; the message says why and what to do, in one line."""


def check_data_dir(path: str | os.PathLike[str]) -> Path:
    """Create ``path`` if needed and prove it writable; return it absolute, or raise ServeError."""
    directory = Path(path).expanduser().absolute()
    try:
        directory.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=directory, prefix=".write-test-"):
            pass
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise ServeError(f"cannot use data directory {directory}: {reason}") from exc
    return directory


def _can_bind(host: str, port: int) -> bool:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def check_port(host: str, port: int) -> None:
    """Raise ServeError unless ``host:port`` can be bound now (suggesting a free port)."""
    if not 0 < port < 65536:
        raise ServeError(f"port {port} is not between 1 and 65535")
    try:
        socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as exc:
        raise ServeError(f"cannot listen on {host!r}: {exc.strerror or exc}") from exc
    if _can_bind(host, port):
        return
    hint = next((p for p in range(port + 1, min(port + 50, 65536)) if _can_bind(host, p)), None)
    suggestion = f" (try --port {hint})" if hint else ""
    raise ServeError(f"port {port} on {host} is already in use{suggestion}")


def free_port(host: str = "127.0.0.1") -> int:
    """A port the OS says is free on ``host`` right now (for tests and benchmarks)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def run_server(
    *,
    data_dir: Path,
    host: str,
    port: int,
    workers: int = 1,
    server: str = "granian",
    access_log: bool = False,
) -> None:
    """Serve the network of ``data_dir`` on ``host:port`` until interrupted."""
    os.environ["TIRELIRE_DATA"] = str(data_dir)
    if server == "granian":
        from granian import Granian
        from granian.constants import Interfaces

        Granian(
            APP_FACTORY,
            address=host,
            port=port,
            interface=Interfaces.ASGI,
            workers=workers,
            factory=True,
            log_access=access_log,
            websockets=False,
            workers_kill_timeout=WORKERS_KILL_TIMEOUT,
        ).serve()
    elif server == "uvicorn":
        try:
            import uvicorn
        except ImportError as exc:
            raise ServeError("uvicorn is not installed (uv sync --group dev)") from exc
        uvicorn.run(
            APP_FACTORY,
            factory=True,
            host=host,
            port=port,
            workers=workers,
            loop="uvloop",
            http="httptools",
            access_log=access_log,
            log_level="warning",
            timeout_graceful_shutdown=WORKERS_KILL_TIMEOUT,
        )
    else:
        raise ServeError(f"unknown server {server!r} (choose {' or '.join(SERVERS)})")
