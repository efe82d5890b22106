"""The plugin manager: validation at registration, allow-list, per-instance subsets."""

from __future__ import annotations

import pytest

from core import hookimpl
from core.plugins import PluginError, PluginManager


class Linker:
    """A throwaway plugin that records the instances it was called for."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.calls: list[str] = []

    @hookimpl
    def register_instance_links(self, instance, register):
        self.calls.append(instance)
        register(self.label, f"/{self.label}")


def _links(hooks, instance):
    links = []
    hooks.register_instance_links(
        instance=instance, register=lambda label, href: links.append(label)
    )
    return links


def test_hooks_for_an_instance_call_only_its_enabled_plugins():
    pm = PluginManager(load_entry_points=False)
    agenda, shop = Linker("agenda"), Linker("shop")
    pm.register(agenda, "agenda")
    pm.register(shop, "shop")
    assert sorted(_links(pm.for_instance(["agenda", "shop"]), "a")) == ["agenda", "shop"]
    assert _links(pm.for_instance(["shop"]), "b") == ["shop"]
    assert _links(pm.for_instance([]), "c") == []
    assert agenda.calls == ["a"]
    assert shop.calls == ["a", "b"]


def test_always_enabled_plugins_are_called_for_every_instance():
    pm = PluginManager(load_entry_points=False)
    core_part = Linker("core")
    pm.register(core_part, "core-part")
    pm.always_enabled.add("core-part")
    assert _links(pm.for_instance([]), "x") == ["core"]


def test_subsets_follow_registration_changes():
    pm = PluginManager(load_entry_points=False)
    hooks = pm.for_instance(["late"])
    assert _links(hooks, "a") == []
    pm.register(Linker("late"), "late")
    assert _links(hooks, "a") == ["late"]
    pm.unregister("late")
    assert _links(hooks, "a") == []


def test_wrong_hook_arguments_fail_at_registration_naming_plugin_and_hook():
    class Bad:
        @hookimpl
        def register_instance_links(self, instance, register, colour):
            """Asks for an argument the spec does not have."""

    pm = PluginManager(load_entry_points=False)
    with pytest.raises(PluginError) as info:
        pm.register(Bad(), "bad-plugin")
    message = str(info.value)
    assert "bad-plugin" in message
    assert "register_instance_links" in message
    assert "colour" in message


def test_unknown_hook_fails_the_start_up_check_naming_the_plugin():
    class Typo:
        @hookimpl
        def register_rutes(self, register):
            """A misspelt hook name."""

    pm = PluginManager(load_entry_points=False)
    pm.register(Typo(), "typo-plugin")
    with pytest.raises(PluginError) as info:
        pm.check()
    assert "typo-plugin" in str(info.value)
    assert "register_rutes" in str(info.value)


def test_same_name_twice_is_refused():
    pm = PluginManager(load_entry_points=False)
    pm.register(Linker("a"), "a")
    with pytest.raises(PluginError, match="'a'"):
        pm.register(Linker("b"), "a")


def test_allow_list_naming_a_missing_plugin_is_an_error(monkeypatch):
    monkeypatch.setenv("TIRELIRE_PLUGINS", "nosuchplugin")
    with pytest.raises(PluginError, match="nosuchplugin"):
        PluginManager()


def test_installed_lists_names_versions_and_hooks():
    pm = PluginManager(load_entry_points=False)
    pm.register(Linker("a"), "links", version="1.2.3")
    (info,) = pm.installed()
    assert info.name == "links"
    assert info.version == "1.2.3"
    assert info.hooks == ["register_instance_links"]


def test_each_plugin_calls_one_plugin_at_a_time():
    pm = PluginManager(load_entry_points=False)
    pm.register(Linker("one"), "one")
    pm.register(Linker("two"), "two")
    seen = {name: _links_via(caller) for name, caller in pm.each_plugin("register_instance_links")}
    assert seen == {"one": ["one"], "two": ["two"]}


def _links_via(caller):
    links = []
    caller(instance="i", register=lambda label, href: links.append(label))
    return links


def test_unknown_hook_name_on_instance_hooks():
    pm = PluginManager(load_entry_points=False)
    with pytest.raises(AttributeError, match="no hook named"):
        pm.for_instance([]).nothing_like_this  # noqa: B018
