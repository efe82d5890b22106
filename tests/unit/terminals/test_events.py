"""Live pages hear a terminal's changes: listeners after the commit, and an asyncio watch."""

from __future__ import annotations

import asyncio
import threading

from core.terminals import TerminalEvents


def test_a_watch_wakes_only_for_the_terminals_watched_from_any_thread():
    events = TerminalEvents()

    async def scenario() -> list[str]:
        seen: list[str] = []
        watched = {"trm_a"}
        with events.watch(watched) as wake:
            threading.Thread(target=events.publish, args=("bar", "trm_b")).start()
            try:
                await asyncio.wait_for(wake.wait(), 0.3)
                seen.append("woken by trm_b")
            except TimeoutError:
                seen.append("not for trm_b")
            threading.Thread(target=events.publish, args=("bar", "trm_a")).start()
            await asyncio.wait_for(wake.wait(), 5)
            seen.append("woken by trm_a")
            wake.clear()
            watched.add("trm_b")  # the page now shows trm_b too
            threading.Thread(target=events.publish, args=("bar", "trm_b")).start()
            await asyncio.wait_for(wake.wait(), 5)
            seen.append("woken by trm_b")
        return seen

    assert asyncio.run(scenario()) == ["not for trm_b", "woken by trm_a", "woken by trm_b"]
    assert events._listeners == []  # the watch unsubscribed at the end of its block


def test_a_publish_after_the_loop_closed_is_ignored():
    events = TerminalEvents()

    async def watch_then_leave() -> None:
        with events.watch({"trm_a"}):
            events.publish("bar", "trm_a")  # on the loop's own thread: fine too

    asyncio.run(watch_then_leave())
    events.publish("bar", "trm_a")  # nobody listens any more: nothing happens
