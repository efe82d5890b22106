"""``Network.ready``: plugins build their per-network services once, outside any write."""

from __future__ import annotations

import pytest

from core import hookimpl
from core.plugins import PluginError
from tests.terminal_support import pair_terminal


class Services:
    """A throwaway plugin that opens a collection when the network gets ready."""

    def __init__(self) -> None:
        self.calls = 0
        self.fail = False

    @hookimpl
    def on_network_ready(self, network):
        self.calls += 1
        if self.fail:
            raise RuntimeError("no disk")
        network.store.db("rec:throwaway")  # opening a database is a write: fine here


def test_ready_calls_each_plugin_once_and_again_after_a_failure(net):
    plugin = Services()
    net.plugins.register(plugin, "services")
    plugin.fail = True
    with pytest.raises(PluginError, match="plugin 'services' failed in hook 'on_network_ready'"):
        net.ready()
    plugin.fail = False
    net.ready()
    net.ready()
    assert plugin.calls == 2


def test_the_first_tap_gets_the_network_ready_before_its_write(net, claf, clock):
    plugin = Services()
    net.plugins.register(plugin, "services")
    stall = pair_terminal(net, "goulues")
    stall.tap(net, "04A1B2C3", "tap-ready-01", now=clock.now)
    stall.tap(net, "04A1B2C3", "tap-ready-02", now=clock.now)
    assert plugin.calls == 1
