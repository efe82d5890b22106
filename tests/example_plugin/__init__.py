"""An example tirelire plugin, complete and small: a greeting page for each instance.

This is the plugin the author's guide (docs/plugins.md) walks through. It lives in the tests so
that it always works: tests/integration/test_example_plugin.py installs it through an entry
point, exactly like a published plugin, and checks what a plugin author can count on.

A plugin is a module (or any object) whose functions are marked with ``@hookimpl``. It is
installed by declaring an entry point in the ``tirelire.plugins`` group of its distribution::

    # pyproject.toml of a plugin distribution
    [project.entry-points."tirelire.plugins"]
    example = "example_plugin"

Then each instance enables it or not (``Instances.set_plugin(slug, "example", True)``). The
core calls the instance's hooks only for the plugins it enabled, and the web host answers 404
on the plugin's routes for every other instance.

What it shows, hook by hook:

- ``register_routes``: contributes the page ``GET /example/hello`` (see :mod:`.web`);
- ``register_instance_links``: puts a link to it on the home page of each instance that enabled
  the plugin;
- ``register_commands``: adds ``tirelire example-hello`` to the command line;
- ``register_templates`` and ``register_translations``: its page ``GET /example/bienvenue``
  is a Jinja2 template of its own (``templates/welcome.html``, served as
  ``example/welcome.html``) extending the host's layout, translated by its own French catalog
  (``locale/fr/LC_MESSAGES/messages.po``).

It also records each call it receives (:mod:`.record`), so the test can prove that a hook is
never called for an instance that did not enable the plugin. A real plugin would not do that.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from core import Instance, hookimpl

from .record import record
from .web import hello, welcome

HERE = Path(__file__).parent

__all__ = [
    "register_commands",
    "register_instance_links",
    "register_routes",
    "register_templates",
    "register_translations",
]


@hookimpl
def register_routes(register: Callable[[Any], None]) -> None:
    """Mount the greeting page. Called once, when the web application is built."""
    record("register_routes")
    register(hello)
    register(welcome)


@hookimpl
def register_templates(register: Callable[[Path], None]) -> None:
    """Serve ``templates/`` as ``example/...``. Called once, when the web application is built."""
    register(HERE / "templates")


@hookimpl
def register_translations(register: Callable[[Path], None]) -> None:
    """Add the plugin's own catalogs. Called once, when a network is opened."""
    register(HERE / "locale")


@hookimpl
def register_instance_links(instance: Instance, register: Callable[[str, str], None]) -> None:
    """Link to the greeting from the home page of an instance that enabled this plugin."""
    record("register_instance_links", instance.slug)
    register("Dire bonjour", "/example/hello")


@click.command("example-hello")
@click.option("--name", default="le réseau", show_default=True, help="Who to greet.")
def hello_command(name: str) -> None:
    """Print a greeting (the example plugin's command)."""
    record("example-hello")
    click.echo(f"Bonjour, {name} !")


@hookimpl
def register_commands(register: Callable[[Any], None]) -> None:
    """Add ``tirelire example-hello``. Called once, when the command line is built."""
    register(hello_command)
