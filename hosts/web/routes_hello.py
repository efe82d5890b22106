"""``GET /-/hello``: the smallest answer the web host gives, the floor of every endpoint.

No store access, no template: routing, the middleware every request crosses (session cookie,
language, security headers) and a plain-text body. ``tirelire bench http`` loads it in the
same run as the sale endpoint, so the payment figures read against what the framework and
the server cost on the same machine at the same moment (docs/performance.md).
"""

from __future__ import annotations

from litestar import get

__all__ = ["HELLO_ROUTES", "hello"]


@get("/-/hello", include_in_schema=False, sync_to_thread=False)
def hello() -> str:
    """Answer ``hello``."""
    return "hello"


HELLO_ROUTES = [hello]
