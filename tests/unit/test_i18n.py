"""Every user-facing message id of the code and templates has a French translation."""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
KEYWORDS = {"_": None, "gettext": None, "N_": None, "ngettext": (1, 2)}
PLACEHOLDER = re.compile(r"%\(([a-z_]+)\)[sd]")


def _message_ids() -> dict[str, str]:
    with (ROOT / "babel.cfg").open() as config:
        method_map, options_map = parse_mapping_cfg(config)
    found: dict[str, str] = {}
    for filename, line, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=KEYWORDS
    ):
        key = message[0] if isinstance(message, tuple) else message
        found.setdefault(key, f"{filename}:{line}")
    return found


def _french():
    """The core's French catalog, with every built-in plugin's merged in (as at run time)."""
    files = [ROOT / "core/locale/fr/LC_MESSAGES/messages.po"]
    files += sorted(ROOT.glob("plugins/*/locale/fr/LC_MESSAGES/*.po"))
    catalog = None
    for path in files:
        with path.open("rb") as source:
            loaded = read_po(source, locale="fr")
        if catalog is None:
            catalog = loaded
            continue
        for message in loaded:
            if message.id:
                catalog[message.id] = message
    return catalog


def test_the_extractor_finds_messages_in_code_and_templates():
    places = set(_message_ids().values())
    assert any(p.endswith(".py") or ".py:" in p for p in places)
    assert any(".html:" in p for p in places)


def test_every_message_has_a_french_translation():
    catalog = _french()
    missing = []
    for message, place in _message_ids().items():
        entry = catalog.get(message)
        if entry is None or not entry.string or entry.fuzzy:
            missing.append(f"{place}: {message!r}")
    assert missing == [], "untranslated (see docs/i18n.md):\n" + "\n".join(missing)


def test_translations_keep_the_placeholders():
    broken = []
    for entry in _french():
        if not entry.id or not isinstance(entry.string, str) or not entry.string:
            continue
        if set(PLACEHOLDER.findall(entry.id)) != set(PLACEHOLDER.findall(entry.string)):
            broken.append(entry.id)
    assert broken == []


def test_plugin_catalogs_do_not_retranslate_the_core():
    """The core's translation wins at run time, so a plugin's own for the same id is dead."""
    with (ROOT / "core/locale/fr/LC_MESSAGES/messages.po").open("rb") as source:
        core = read_po(source, locale="fr")
    shadowed = []
    for path in sorted(ROOT.glob("plugins/*/locale/fr/LC_MESSAGES/*.po")):
        with path.open("rb") as source:
            for message in read_po(source, locale="fr"):
                if message.id and core.get(message.id) is not None:
                    shadowed.append(f"{path.relative_to(ROOT)}: {message.id!r}")
    assert shadowed == []
