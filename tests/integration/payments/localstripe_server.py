"""Run localstripe for the tests: on 127.0.0.1 only, on a free port, keeping nothing on disk.

``localstripe --port N`` (its own command) listens on every interface (``::``) and pickles its
whole state to ``/tmp/localstripe.pickle`` after each write, a path shared by every localstripe
on the machine. This launcher runs the same aiohttp application (``localstripe.server.app``,
unchanged) on a socket bound to ``127.0.0.1:0``, turns the pickling off, and prints the port
it got on the first line of its standard output. Nothing of the ``stripe`` library is touched.
"""

from __future__ import annotations

import socket

from aiohttp import web
from localstripe import server
from localstripe.resources import store


def main() -> None:
    """Serve localstripe's app on 127.0.0.1; print the port, then run until killed."""
    store.dump_to_disk = lambda: None  # type: ignore[method-assign]  # state stays in memory
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    print(sock.getsockname()[1], flush=True)
    web.run_app(server.app, sock=sock, print=None, access_log=None)


if __name__ == "__main__":
    main()
