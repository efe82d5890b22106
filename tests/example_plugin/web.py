"""The example plugin's web page: a Litestar route handler, mounted by the web host.

The web host provides these dependencies to every handler, by parameter name (mark them with
Litestar's ``NamedDependency[...]``):

- ``instance``: the :class:`core.Instance` the request is for (resolved from the Host header,
  ``<slug>.<base domain>``); a plugin route never runs on the network's home, nor for an
  instance that did not enable the plugin: the host answers 404 before the handler runs;
- ``network``: the :class:`core.Network` (store, plugins, instances, settings);
- ``site``: the instance or home, with ``site.url_for(slug)`` to build addresses.

``hello`` returns a msgspec Struct: Litestar encodes it as JSON and documents it in the
OpenAPI schema (``/schema/openapi.json``). ``welcome`` returns Litestar's ``Template``: the
plugin's own template, which extends the host's ``base.html`` (the host fills in the layout's
context: network, instance, user, role).
"""

from __future__ import annotations

import msgspec
from litestar import get
from litestar.di import NamedDependency
from litestar.response import Template

from core import Instance

from .record import record

__all__ = ["Greeting", "hello", "welcome"]


class Greeting(msgspec.Struct, frozen=True):
    """What ``GET /example/hello`` answers."""

    instance: str
    message: str


@get("/example/hello", sync_to_thread=False, summary="A greeting from the instance")
def hello(instance: NamedDependency[Instance]) -> Greeting:
    """Greet the visitor in the name of the instance the request is for."""
    record("hello", instance.slug)
    return Greeting(instance=instance.slug, message=f"Bonjour de la part de {instance.name} !")


@get("/example/bienvenue", sync_to_thread=False, include_in_schema=False)
def welcome(instance: NamedDependency[Instance]) -> Template:
    """A page of the plugin, in the reader's language, inside the host's layout."""
    record("welcome", instance.slug)
    return Template(template_name="example/welcome.html")
