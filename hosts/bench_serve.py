"""The serving benchmark: our app under granian, then under uvicorn (uvloop + httptools).

Workload (written down so the figures can be compared): one server process with one worker on
127.0.0.1, a fresh empty network, ``GET /-/health`` (routing, a dependency, one LMDB read
transaction, msgspec JSON), HTTP/1.1 keep-alive, ``connections`` concurrent connections for
``seconds`` seconds after a short warm-up. The load generator is ``wrk`` (one thread) when it
is installed, otherwise a small asyncio client (slower: it may become the bottleneck, and the
result says which generator ran). Each server is started with ``tirelire serve --server ...``,
exactly as in production, and stopped afterwards.
"""

from __future__ import annotations

import asyncio
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from hosts.serving import ServeError, free_port

__all__ = [
    "RequestMaker",
    "ServeResult",
    "bench_serve",
    "load_with_python",
    "load_with_wrk",
    "pick_wrk",
    "running_server",
]


@dataclass
class ServeResult:
    """The figures of one server: throughput, tail latency and failures."""

    server: str
    generator: str
    seconds: float
    connections: int
    requests: int
    errors: int
    requests_per_second: float
    p50_ms: float
    p99_ms: float

    def as_dict(self) -> dict[str, Any]:
        """The result as a JSON-ready dict."""
        return asdict(self)


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def _ms(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s)", text.strip())
    if not match:
        return float("nan")
    return float(match.group(1)) * _UNITS[match.group(2)]


def load_with_wrk(
    url: str,
    seconds: float,
    connections: int,
    wrk: str = "wrk",
    *,
    script: str | None = None,
    threads: int = 1,
) -> dict[str, Any]:
    """Load ``url`` with wrk and parse its summary and latency distribution.

    ``script``: a Lua file (``wrk -s``) that builds the requests (method, headers, body).
    """
    command = [wrk, f"-t{threads}", f"-c{connections}", f"-d{max(1, round(seconds))}s"]
    command += ["--latency", *(["-s", script] if script else []), url]
    out = subprocess.run(
        command, capture_output=True, text=True, timeout=seconds + 30, check=True
    ).stdout
    requests = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p50 = re.search(r"^\s+50%\s+(\S+)", out, re.M)
    p99 = re.search(r"^\s+99%\s+(\S+)", out, re.M)
    errors = 0
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if non_2xx:
        errors += int(non_2xx.group(1))
    socket_errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out
    )
    if socket_errors:
        errors += sum(int(g) for g in socket_errors.groups())
    return {
        "requests": requests,
        "errors": errors,
        "requests_per_second": rps,
        "p50_ms": _ms(p50.group(1)) if p50 else float("nan"),
        "p99_ms": _ms(p99.group(1)) if p99 else float("nan"),
    }


#: Makes the n-th request of a client (bytes on the wire); None: a plain GET of the path.
RequestMaker = Callable[[int, int], bytes]


async def _client(
    host: str,
    port: int,
    path: str,
    deadline: float,
    latencies: list[float],
    make: RequestMaker | None = None,
    index: int = 0,
) -> int:
    reader, writer = await asyncio.open_connection(host, port)
    plain = f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\n\r\n".encode()
    errors = 0
    sent = 0
    try:
        while time.perf_counter() < deadline:
            start = time.perf_counter()
            writer.write(plain if make is None else make(index, sent))
            sent += 1
            head = await reader.readuntil(b"\r\n\r\n")
            length = re.search(rb"(?i)content-length:\s*(\d+)", head)
            await reader.readexactly(int(length.group(1)) if length else 0)
            latencies.append(time.perf_counter() - start)
            if not head.startswith(b"HTTP/1.1 2"):
                errors += 1
    finally:
        writer.close()
    return errors


def load_with_python(
    url: str, seconds: float, connections: int, make: RequestMaker | None = None
) -> dict[str, Any]:
    """Load ``url`` with a keep-alive asyncio client (the fallback when wrk is missing).

    ``make(client, n)`` builds each request (for POST bodies); by default a GET of ``url``.
    """
    match = re.match(r"http://([^:/]+):(\d+)(/.*)", url)
    if not match:
        raise ValueError(f"unsupported url {url!r}")
    host, port, path = match.group(1), int(match.group(2)), match.group(3)
    latencies: list[float] = []

    async def run() -> int:
        deadline = time.perf_counter() + seconds
        results = await asyncio.gather(
            *(_client(host, port, path, deadline, latencies, make, k) for k in range(connections)),
            return_exceptions=True,
        )
        return sum(r if isinstance(r, int) else 1 for r in results)

    started = time.perf_counter()
    errors = asyncio.run(run())
    elapsed = time.perf_counter() - started
    latencies.sort()

    def pct(q: float) -> float:
        return (
            latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000
            if latencies
            else float("nan")
        )

    return {
        "requests": len(latencies),
        "errors": errors,
        "requests_per_second": len(latencies) / elapsed,
        "p50_ms": pct(0.50),
        "p99_ms": pct(0.99),
    }


def _wait_until_up(url: str, proc: subprocess.Popen[bytes], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise ServeError(f"the server exited with code {proc.returncode} before answering")
        try:
            with urllib.request.urlopen(url, timeout=1) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    raise ServeError(f"the server did not answer {url} within {timeout:.0f} s")


@contextmanager
def running_server(
    server: str, data_dir: Path, *, workers: int = 1, probe: str = "/-/health"
) -> Iterator[int]:
    """``tirelire serve --server <server>`` on a free port of 127.0.0.1, up; yields the port.

    The server is stopped (terminated, then killed after 10 s) when the block ends.
    """
    port = free_port()
    command = [sys.executable, "-m", "hosts", "serve", "--server", server]
    command += ["--port", str(port), "--data", str(data_dir), "--workers", str(workers)]
    with tempfile.TemporaryFile() as log:
        proc = subprocess.Popen(command, stdout=log, stderr=log)
        try:
            try:
                _wait_until_up(f"http://127.0.0.1:{port}{probe}", proc, timeout=30)
            except ServeError as exc:
                log.seek(0)
                tail = log.read().decode(errors="replace").strip().splitlines()[-1:]
                raise ServeError(f"{server}: {exc}{': ' + tail[0] if tail else ''}") from exc
            yield port
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def pick_wrk(generator: str) -> str | None:
    """The wrk binary for ``generator`` (``auto``, ``wrk``, ``python``): None for python."""
    wrk = shutil.which("wrk") if generator in {"auto", "wrk"} else None
    if generator == "wrk" and wrk is None:
        raise ServeError("wrk is not installed (apt-get install wrk)")
    return wrk


def bench_one(
    server: str,
    data_dir: Path,
    *,
    seconds: float,
    connections: int,
    path: str = "/-/health",
    generator: str = "auto",
) -> ServeResult:
    """Start ``tirelire serve --server <server>`` on a free port, load it, stop it.

    ``generator`` is ``wrk``, ``python`` or ``auto`` (wrk when installed).
    """
    wrk = pick_wrk(generator)
    with running_server(server, data_dir) as port:
        url = f"http://127.0.0.1:{port}{path}"
        warmup = min(1.0, seconds / 4)
        if wrk:
            load_with_wrk(url, warmup, connections, wrk)
            figures = load_with_wrk(url, seconds, connections, wrk)
        else:
            load_with_python(url, warmup, connections)
            figures = load_with_python(url, seconds, connections)
    return ServeResult(
        server=server,
        generator="wrk" if wrk else "python",
        seconds=seconds,
        connections=connections,
        **figures,
    )


def bench_serve(
    servers: tuple[str, ...] = ("granian", "uvicorn"),
    *,
    seconds: float = 5,
    connections: int = 64,
    path: str = "/-/health",
    generator: str = "auto",
) -> list[ServeResult]:
    """Run :func:`bench_one` for each server, one after the other, on a fresh network."""
    with tempfile.TemporaryDirectory(prefix="tirelire-bench-") as tmp:
        data_dir = Path(tmp) / "data"
        return [
            bench_one(
                server,
                data_dir,
                seconds=seconds,
                connections=connections,
                path=path,
                generator=generator,
            )
            for server in servers
        ]
