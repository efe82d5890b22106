"""Translations: every user-facing string goes through gettext; French by default.

Message ids are written in English in the code and templates; catalogs translate them. The
French catalog (``core/locale/fr/LC_MESSAGES/messages.po``) must translate every message id
the code uses: ``tests/unit/test_i18n.py`` extracts them with Babel and fails on any missing
translation. English needs no catalog: the ids are the English text.

Catalogs are read from their ``.po`` sources at start-up and compiled in memory with Babel, so
no compiled ``.mo`` file is kept in the repository. Plugins add their own catalog directories
through the hook ``register_translations`` (:func:`add_translations`, called when a network
opens); the core's translations win over a plugin's, and an earlier plugin's over a later
one's, so a plugin never changes what the core's pages say. A plugin's messages are
translated in its own catalog (``plugins/<name>/locale/fr/LC_MESSAGES/messages.po``).

Code that builds a message far from any request marks it with :func:`N_` (a no-op the
extractor knows) and the web layer translates it with the reader's language.
"""

from __future__ import annotations

import contextvars
import io
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

__all__ = [
    "DEFAULT_LANGUAGE",
    "LANGUAGES",
    "N_",
    "Catalogs",
    "add_translations",
    "current_language",
    "gettext",
    "language",
    "ngettext",
]

DEFAULT_LANGUAGE = "fr"
LANGUAGES = {"fr": "Français", "en": "English"}
CORE_LOCALE = Path(__file__).parent / "locale"

_current: contextvars.ContextVar[str] = contextvars.ContextVar(
    "tirelire_language", default=DEFAULT_LANGUAGE
)


def N_(message: str) -> str:
    """Mark ``message`` for extraction without translating it now."""
    return message


class Catalogs:
    """The translations of every language, compiled in memory from ``.po`` sources."""

    def __init__(self, directories: list[Path] | None = None) -> None:
        self._directories: list[Path] = []
        self._translations: dict[str, NullTranslations] = {}
        for directory in directories if directories is not None else [CORE_LOCALE]:
            self.add_directory(directory)

    def add_directory(self, directory: Path) -> None:
        """Add the catalogs found in ``directory/<lang>/LC_MESSAGES/*.po`` (once)."""
        path = Path(directory).resolve()
        if path in self._directories:
            return
        self._directories.append(path)
        self._translations.clear()

    def translations(self, lang: str) -> NullTranslations:
        """The merged translations of ``lang`` (English and unknown languages: identity)."""
        cached = self._translations.get(lang)
        if cached is not None:
            return cached
        merged: NullTranslations = NullTranslations()
        for directory in reversed(self._directories):  # the first directory wins
            for po_file in sorted((directory / lang / "LC_MESSAGES").glob("*.po")):
                loaded = _compile(po_file, lang)
                if isinstance(merged, Translations):
                    merged.merge(loaded)
                else:
                    merged = loaded
        self._translations[lang] = merged
        return merged

    def gettext(self, message: str, lang: str | None = None, **values: Any) -> str:
        """``message`` in ``lang`` (default: the current language), formatted with values."""
        text = self.translations(lang or _current.get()).gettext(message)
        return text % values if values else text

    def ngettext(
        self, singular: str, plural: str, n: int, lang: str | None = None, **values: Any
    ) -> str:
        """The singular or plural form of a message for ``n``, formatted with values."""
        text = self.translations(lang or _current.get()).ngettext(singular, plural, n)
        return text % {"num": n, **values}


def _compile(po_file: Path, lang: str) -> Translations:
    with po_file.open("rb") as source:
        catalog = read_po(source, locale=lang)
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return Translations(fp=buffer, domain=po_file.stem)


_default = Catalogs()


def add_translations(directory: Path) -> None:
    """Add a plugin's locale folder to the catalogs every gettext call uses (once)."""
    _default.add_directory(directory)


def gettext(message: str, **values: Any) -> str:
    """Translate ``message`` into the current language with the core's catalogs."""
    return _default.gettext(message, **values)


def ngettext(singular: str, plural: str, n: int, **values: Any) -> str:
    """Plural-aware translation into the current language with the core's catalogs."""
    return _default.ngettext(singular, plural, n, **values)


def current_language() -> str:
    """The language of the request or task being served."""
    return _current.get()


@contextmanager
def language(lang: str) -> Iterator[str]:
    """Run a block in ``lang`` (unknown languages fall back to the default)."""
    token = _current.set(lang if lang in LANGUAGES else DEFAULT_LANGUAGE)
    try:
        yield _current.get()
    finally:
        _current.reset(token)
