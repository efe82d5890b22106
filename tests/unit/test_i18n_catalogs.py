"""The translation machinery: .po sources compiled in memory, merged, per-context language."""

from __future__ import annotations

from core.i18n import Catalogs, current_language, language

PO = """
msgid ""
msgstr ""
"Content-Type: text/plain; charset=UTF-8\\n"
"Plural-Forms: nplurals=2; plural=(n > 1);\\n"

msgid "My piggy bank"
msgstr "Ma tirelire"

msgid "Hello %(name)s"
msgstr "Bonjour %(name)s"

msgid "%(num)d card"
msgid_plural "%(num)d cards"
msgstr[0] "%(num)d carte"
msgstr[1] "%(num)d cartes"

#, fuzzy
msgid "Unsure"
msgstr "Pas sûr"
"""


def _catalog(tmp_path, name="messages", text=PO):
    folder = tmp_path / "fr" / "LC_MESSAGES"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.po").write_text(text, "utf-8")
    return tmp_path


def test_translates_formats_and_pluralises(tmp_path):
    catalogs = Catalogs([_catalog(tmp_path)])
    assert catalogs.gettext("My piggy bank", "fr") == "Ma tirelire"
    assert catalogs.gettext("My piggy bank", "en") == "My piggy bank"
    assert catalogs.gettext("Hello %(name)s", "fr", name="Nicolas") == "Bonjour Nicolas"
    assert catalogs.ngettext("%(num)d card", "%(num)d cards", 1, "fr") == "1 carte"
    assert catalogs.ngettext("%(num)d card", "%(num)d cards", 3, "fr") == "3 cartes"
    assert catalogs.gettext("Unsure", "fr") == "Unsure"  # fuzzy entries are not used
    assert catalogs.gettext("Not in the catalog", "fr") == "Not in the catalog"


def test_the_current_language_follows_the_context(tmp_path):
    catalogs = Catalogs([_catalog(tmp_path)])
    assert current_language() == "fr"
    with language("en"):
        assert catalogs.gettext("My piggy bank") == "My piggy bank"
    with language("klingon") as chosen:
        assert chosen == "fr"
    assert catalogs.gettext("My piggy bank") == "Ma tirelire"


def test_a_later_directory_adds_but_never_overrides(tmp_path):
    """A plugin's catalog (added later) cannot change what the core's pages say."""
    first = _catalog(tmp_path / "a")
    second = _catalog(
        tmp_path / "b",
        text='msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        'msgid "My piggy bank"\nmsgstr "Mon cochon"\n\n'
        'msgid "Beneficiaries"\nmsgstr "Bénéficiaires"\n',
    )
    catalogs = Catalogs([first])
    catalogs.add_directory(second)
    catalogs.add_directory(second)  # once only
    assert catalogs.gettext("My piggy bank", "fr") == "Ma tirelire"
    assert catalogs.gettext("Beneficiaries", "fr") == "Bénéficiaires"
    assert catalogs.gettext("Hello %(name)s", "fr", name="A") == "Bonjour A"
