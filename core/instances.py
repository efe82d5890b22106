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
    "LOGO_MAX_BYTES",
    "Instance",
    "InstanceError",
    "InstanceKind",
    "Instances",
    "validate_slug",
]

LOGO_MAX_BYTES = 512 * 1024
_LOGO_TYPES = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
)
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


class Logo(msgspec.Struct, kw_only=True):
    """An instance's logo: the image bytes and their type, checked on upload."""

    slug: str
    content_type: str
    data: bytes
    updated_at: float = 0.0


def logo_type(data: bytes) -> str | None:
    """The image type of ``data`` from its first bytes (PNG, JPEG, GIF, WebP), or None.

    The type is read from the content, never trusted from the upload's declared type; SVG is
    refused because it can carry scripts.
    """
    for magic, content_type in _LOGO_TYPES:
        if data.startswith(magic):
            return content_type
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


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
            cached=True,  # every request on an instance's site reads it: see core.generations
        )
        self.logos: Collection[Logo] = Collection(store, "logos", Logo, key=lambda lg: lg.slug)

    def get(self, slug: str) -> Instance | None:
        """The instance with this slug, or None (from memory while no process changed one)."""
        return self.records.cached(slug)

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

    def update_details(
        self, slug: str, *, description: str, website: str, welcome_text: str
    ) -> Instance:
        """Change what an instance shows about itself; bad values raise InstanceError."""
        description, website, welcome_text = description.strip(), website.strip(), welcome_text
        if len(description) > 500:
            raise InstanceError("description", "500 characters at most")
        if website and not re.match(r"^https?://\S+$", website):
            raise InstanceError("website", "an address starting with http:// or https://")
        if len(welcome_text) > 5000:
            raise InstanceError("welcome_text", "5000 characters at most")

        def op(tx: Tx) -> Instance:
            current = self.records.get(tx.txn, slug)
            if current is None:
                raise InstanceError("slug", f"no instance {slug!r}")
            changed = msgspec.structs.replace(
                current, description=description, website=website, welcome_text=welcome_text
            )
            return self.records.put(tx, changed)

        return self.store.write(op)

    @staticmethod
    def check_logo(data: bytes) -> str:
        """The image type of a logo upload, or InstanceError (size, empty, not an image)."""
        if not data:
            raise InstanceError("logo", "the file is empty")
        if len(data) > LOGO_MAX_BYTES:
            raise InstanceError("logo", f"{LOGO_MAX_BYTES // 1024} KiB at most")
        content_type = logo_type(data)
        if content_type is None:
            raise InstanceError("logo", "a PNG, JPEG, GIF or WebP image is expected")
        return content_type

    def set_logo(self, slug: str, data: bytes, *, now: float | None = None) -> Logo:
        """Store the instance's logo after checking its size and its real image type."""
        content_type = self.check_logo(data)
        logo = Logo(slug=slug, content_type=content_type, data=data, updated_at=now or time.time())
        return self.store.write(lambda tx: self.logos.put(tx, logo))

    def logo(self, slug: str) -> Logo | None:
        """The instance's logo, or None."""
        with self.store.read() as txn:
            return self.logos.get(txn, slug)
