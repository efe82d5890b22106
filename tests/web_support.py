"""Helpers for web tests: a network whose mail goes to a real SMTP server, and browsers.

- :func:`open_network` builds a :class:`core.Network` in a directory, its mail sent by SMTP
  to an aiosmtpd server on 127.0.0.1 (``tests/smtp_server.py``).
- :class:`Visitor` is one person's browser on one host: a Litestar test client whose base URL
  is that host (so cookies stay host-only, as in a browser), which posts forms with the CSRF
  token of the last page it saw, like a browser submitting that page's form.
- :func:`link_in` finds the link of an e-mail.
"""

from __future__ import annotations

import html
import re
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import httpx
from litestar import Litestar
from litestar.testing import TestClient

from core import Network, PluginManager, load_settings
from hosts.web import create_app

__all__ = ["Visitor", "csrf_of", "link_in", "open_network", "text_of"]

CSRF_RE = re.compile(r'name="_csrf_token" value="([^"]+)"')
LINK_RE = re.compile(r"^\s*(https?://\S+)\s*$", re.M)


def open_network(
    directory: Path, smtp_port: int, *, plugins: PluginManager | None = None, **settings: Any
) -> Network:
    """A network in ``directory`` whose e-mail goes to the SMTP server on ``smtp_port``."""
    mail = {"backend": "smtp", "smtp_port": smtp_port, "sender": "tirelire <noreply@test.org>"}
    return Network.open(load_settings(directory, mail=mail, **settings), plugins=plugins)


def csrf_of(html: str) -> str:
    """The CSRF token of a page's forms."""
    found = CSRF_RE.search(html)
    if found is None:
        raise AssertionError("the page has no form with a CSRF token")
    return found.group(1)


def link_in(message: EmailMessage) -> str:
    """The link of an e-mail: the first line that is only a link (the one to click)."""
    body = message.get_body(("plain",))
    text = body.get_content() if body is not None else str(message)
    found = LINK_RE.search(text)
    if found is None:
        raise AssertionError(f"no link in the e-mail {message['Subject']!r}")
    return found.group(1)


class Visitor:
    """One person's browser on one host (``localhost`` or ``<slug>.localhost``).

    Each visitor gets its own application object on the shared network (a Litestar app runs
    one lifespan per test client), so several browsers can be open at once.
    """

    def __init__(self, network: Network, host: str, *, scheme: str = "http") -> None:
        self.host = host
        self.app: Litestar = create_app(network)
        self.client = TestClient(self.app, base_url=f"{scheme}://{host}")
        self.client.__enter__()
        self.last_html = ""

    def close(self) -> None:
        """Stop the client."""
        self.client.__exit__(None, None, None)

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        """GET a page (remembering its CSRF token)."""
        kwargs.setdefault("headers", {"accept": "text/html"})
        response = self.client.get(path, follow_redirects=kwargs.pop("follow", True), **kwargs)
        if "text/html" in response.headers.get("content-type", ""):
            self.last_html = response.text
        return response

    def post(
        self,
        path: str,
        data: dict[str, Any] | None = None,
        *,
        files: Any = None,
        csrf: bool = True,
        follow: bool = True,
    ) -> httpx.Response:
        """Submit a form of the last page seen (with its CSRF token unless ``csrf=False``)."""
        fields = dict(data or {})
        if csrf:
            if not self.last_html or "_csrf_token" not in self.last_html:
                self.get("/connexion")
            fields["_csrf_token"] = csrf_of(self.last_html)
        response = self.client.post(
            path,
            data=fields,
            files=files,
            headers={"accept": "text/html"},
            follow_redirects=follow,
        )
        if "text/html" in response.headers.get("content-type", ""):
            self.last_html = response.text
        return response

    def open_link(self, url: str) -> httpx.Response:
        """Open an e-mailed link and press its page's button (a GET, then the POST)."""
        path = url.split(self.host, 1)[1]
        page = self.get(path)
        assert page.status_code == 200, page.text
        return self.post(path)


def text_of(response: Any) -> str:
    """The visible text of a page's <main> (tags dropped, entities decoded)."""
    page = response.text
    start = page.find("<main>")
    main = page[start : page.find("</main>")] if start != -1 else page
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", main)).replace(" .", "."))
