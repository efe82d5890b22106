"""Instances: each community's space in the network, and the plugins it enabled.

An instance (a venue, an association, a festival, a producer, an artist, a food fund) has a
unique slug, served as ``<slug>.<base domain>``, and its own set of enabled plugins. Its hooks
are called through :meth:`core.plugins.PluginManager.for_instance` with that set.
"""

from __future__ import annotations

import re
import time
from enum import StrEnum

import msgspec

from core.records import Collection, Index
from core.store import Store, Tx

__all__ = [
    "Instance",
    "InstanceError",
    "InstanceKind",
    "Instances",
    "validate_slug",
]

SLUG_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")
RESERVED_SLUGS = frozenset({"www", "api", "admin", "static", "mail", "schema"})


class InstanceKind(StrEnum):
    """What kind of collective an instance is."""

    VENUE = "venue"
    ASSOCIATION = "association"
    FESTIVAL = "festival"
    PRODUCER = "producer"
    ARTIST = "artist"
    FOOD_FUND = "food_fund"


class Instance(msgspec.Struct, kw_only=True):
    """One community's space. Stored; new fields always get defaults."""

    slug: str
    name: str
    kind: InstanceKind = InstanceKind.ASSOCIATION
    description: str = ""
    website: str = ""
    base_domain: str = "localhost"
    enabled_plugins: list[str] = msgspec.field(default_factory=list)
    created_at: float = 0.0
    #: asked on the creation form; the network's team follows up (seed 000)
    wants_cash_register: bool = False
    #: shown on the instance's home page; empty: the default welcome text
    welcome_text: str = ""


class InstanceError(ValueError):
    """A rule about instances was broken; ``field`` names the offending field."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


def validate_slug(slug: str) -> str:
    """Return ``slug`` if it can name an instance in a domain name, else raise InstanceError."""
    if not SLUG_RE.match(slug):
        raise InstanceError(
            "slug", "use 1 to 63 lowercase letters, digits or hyphens, not at either end"
        )
    if slug in RESERVED_SLUGS:
        raise InstanceError("slug", f"{slug!r} is reserved")
    return slug


class Instances:
    """The instance records of a store and the rules for changing them."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.records: Collection[Instance] = Collection(
            store,
            "instances",
            Instance,
            key=lambda i: i.slug,
            indexes=(Index("kind", lambda i: i.kind.value),),
        )

    def get(self, slug: str) -> Instance | None:
        """The instance with this slug, or None."""
        with self.store.read() as txn:
            return self.records.get(txn, slug)

    def all(self) -> list[Instance]:
        """Every instance, by slug."""
        with self.store.read() as txn:
            return list(self.records.scan(txn))

    def create(self, instance: Instance) -> Instance:
        """Create ``instance``; an invalid or taken slug raises InstanceError."""
        validate_slug(instance.slug)
        if not instance.name.strip():
            raise InstanceError("name", "a name is required")
        created = msgspec.structs.replace(instance, created_at=instance.created_at or time.time())

        def op(tx: Tx) -> Instance:
            if self.records.get(tx.txn, created.slug) is not None:
                raise InstanceError("slug", f"{created.slug!r} is already taken")
            return self.records.put(tx, created)

        return self.store.write(op)

    def set_plugin(self, slug: str, plugin: str, enabled: bool) -> Instance:
        """Enable or disable ``plugin`` for the instance ``slug``; effective at once."""

        def op(tx: Tx) -> Instance:
            current = self.records.get(tx.txn, slug)
            if current is None:
                raise InstanceError("slug", f"no instance {slug!r}")
            names = [p for p in current.enabled_plugins if p != plugin]
            if enabled:
                names.append(plugin)
            return self.records.put(
                tx, msgspec.structs.replace(current, enabled_plugins=sorted(names))
            )

        return self.store.write(op)
