"""Settings loading and the instance records' rules."""

from __future__ import annotations

import pytest

from core.instances import Instance, InstanceError, InstanceKind, Instances, validate_slug
from core.settings import SettingsError, load_settings
from core.store import Store


def test_settings_layers_defaults_file_environment_and_overrides(tmp_path, monkeypatch):
    monkeypatch.delenv("TIRELIRE_BASE_DOMAINS", raising=False)
    (tmp_path / "settings.toml").write_text('network_name = "Réseau du Cotentin"\ndemo = true\n')
    s = load_settings(tmp_path)
    assert s.network_name == "Réseau du Cotentin"
    assert s.demo is True
    assert s.base_domains == ["localhost"]
    assert s.store_path == tmp_path / "store"
    monkeypatch.setenv("TIRELIRE_BASE_DOMAINS", "tibillet.coop, tibillet.re")
    assert load_settings(tmp_path).base_domains == ["tibillet.coop", "tibillet.re"]
    assert load_settings(tmp_path, language="en").language == "en"


def test_bad_settings_name_the_field(tmp_path):
    (tmp_path / "settings.toml").write_text("demo = 3\n")
    with pytest.raises(SettingsError, match="demo"):
        load_settings(tmp_path)
    (tmp_path / "settings.toml").write_text("colour = 'red'\n")
    with pytest.raises(SettingsError, match="colour"):
        load_settings(tmp_path)
    (tmp_path / "settings.toml").write_text("demo = [\n")
    with pytest.raises(SettingsError, match=r"settings\.toml"):
        load_settings(tmp_path)
    (tmp_path / "settings.toml").write_text("language = 'de'\n")
    with pytest.raises(SettingsError, match="language"):
        load_settings(tmp_path)


@pytest.mark.parametrize("slug", ["claf", "les-goulues", "a", "x1-2"])
def test_good_slugs(slug):
    assert validate_slug(slug) == slug


@pytest.mark.parametrize("slug", ["", "-a", "a-", "Les", "a_b", "a.b", "x" * 64, "www"])
def test_bad_slugs(slug):
    with pytest.raises(InstanceError) as info:
        validate_slug(slug)
    assert info.value.field == "slug"


def test_create_instances_and_enable_plugins(tmp_path):
    store = Store(tmp_path / "s")
    try:
        instances = Instances(store)
        created = instances.create(Instance(slug="claf", name="CLAF", kind=InstanceKind.FOOD_FUND))
        assert created.created_at > 0
        with pytest.raises(InstanceError, match="already taken"):
            instances.create(Instance(slug="claf", name="Autre"))
        with pytest.raises(InstanceError) as info:
            instances.create(Instance(slug="vide", name="  "))
        assert info.value.field == "name"
        instances.set_plugin("claf", "claf", True)
        instances.set_plugin("claf", "laboutik", True)
        instances.set_plugin("claf", "laboutik", False)
        assert instances.get("claf").enabled_plugins == ["claf"]
        with pytest.raises(InstanceError, match="no instance"):
            instances.set_plugin("nope", "claf", True)
        assert [i.slug for i in instances.all()] == ["claf"]
    finally:
        store.close()


def test_mail_settings_from_file_and_environment(tmp_path, monkeypatch):
    (tmp_path / "settings.toml").write_text(
        '[mail]\nbackend = "smtp"\nsmtp_host = "mail.example.org"\nsmtp_port = 587\n'
    )
    monkeypatch.setenv("TIRELIRE_SMTP_SECURITY", "starttls")
    monkeypatch.setenv("TIRELIRE_SMTP_PASSWORD", "s3cret")
    mail = load_settings(tmp_path).mail
    assert (mail.backend, mail.smtp_host, mail.smtp_port) == ("smtp", "mail.example.org", 587)
    assert (mail.smtp_security, mail.smtp_password) == ("starttls", "s3cret")
    monkeypatch.setenv("TIRELIRE_SMTP_SECURITY", "sometimes")
    with pytest.raises(SettingsError, match="smtp_security"):
        load_settings(tmp_path)
    monkeypatch.delenv("TIRELIRE_SMTP_SECURITY")
    (tmp_path / "settings.toml").write_text('[mail]\nsmtp_hots = "typo"\n')
    with pytest.raises(SettingsError, match="smtp_hots"):
        load_settings(tmp_path)


def test_details_and_logo_rules(tmp_path):
    store = Store(tmp_path / "s")
    try:
        instances = Instances(store)
        instances.create(Instance(slug="claf", name="CLAF"))
        changed = instances.update_details(
            "claf", description=" Caisse ", website="https://claf.example", welcome_text="Salut"
        )
        assert (changed.description, changed.welcome_text) == ("Caisse", "Salut")
        with pytest.raises(InstanceError) as info:
            instances.update_details("claf", description="", website="ftp://x", welcome_text="")
        assert info.value.field == "website"
        png = b"\x89PNG\r\n\x1a\n" + b"\0" * 100
        assert instances.set_logo("claf", png).content_type == "image/png"
        assert instances.logo("claf").data == png
        webp = b"RIFF\0\0\0\0WEBPVP8 " + b"\0" * 10
        assert instances.set_logo("claf", webp).content_type == "image/webp"
        for bad, reason in [
            (b"<svg onload=alert(1)>", "PNG"),
            (b"", "empty"),
            (b"\x89PNG\r\n\x1a\n" + b"\0" * (512 * 1024), "KiB"),
        ]:
            with pytest.raises(InstanceError, match=reason) as info:
                instances.set_logo("claf", bad)
            assert info.value.field == "logo"
        assert instances.logo("claf").content_type == "image/webp"  # refused uploads change nothing
    finally:
        store.close()
