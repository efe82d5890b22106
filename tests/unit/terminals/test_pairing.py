"""Pairing codes: one-time, ten minutes, stored hashed; pairing registers the terminal's key."""

from __future__ import annotations

import threading

import pytest

from core import Instance
from core.terminals import CODE_SECONDS, PairingError, TerminalError, normalize_code
from core.terminals.registry import PAIR_FAILURES, PAIR_WINDOW
from core.terminals.signing import new_private_key, public_key_text
from core.tokens import digest


def _instance(net, slug):
    if net.instances.get(slug) is None:
        net.instances.create(Instance(slug=slug, name=slug.upper()))
    return net.instances.get(slug)


def test_a_code_is_shown_once_stored_hashed_and_pairs_one_terminal(net):
    bisik = _instance(net, "bisik")
    record, code = net.terminals.new_pairing_code(bisik, name="  Bar  ", mode="charge", by="u1")
    assert len(code) == 14 and code.count("-") == 2
    assert record.key == digest(normalize_code(code))
    with net.store.read() as txn:
        stored = [c.key for c in net.terminals.codes.scan(txn)]
    assert stored == [record.key] and code.replace("-", "") not in repr(stored)
    assert [c.key for c in net.terminals.pending_codes("bisik")] == [record.key]
    public = public_key_text(new_private_key())
    terminal = net.terminals.pair("bisik", code.lower().replace("-", " "), public)
    assert (terminal.instance, terminal.name, terminal.mode) == ("bisik", "Bar", "charge")
    assert terminal.public_key == public and terminal.created_by == "u1"
    assert net.terminals.pending_codes("bisik") == []
    with pytest.raises(PairingError) as used:
        net.terminals.pair("bisik", code, public_key_text(new_private_key()))
    assert used.value.reason == "used"
    assert [t.id for t in net.terminals.of_instance("bisik")] == [terminal.id]


def test_look_alike_characters_are_forgiven():
    assert normalize_code("abco-1il-x") == normalize_code("ABC0 11 1X")


def test_a_code_expires_after_ten_minutes(net, clock):
    bisik = _instance(net, "bisik")
    _record, code = net.terminals.new_pairing_code(bisik, name="Bar", mode="charge")
    clock.now += CODE_SECONDS
    with pytest.raises(PairingError) as expired:
        net.terminals.pair("bisik", code, public_key_text(new_private_key()))
    assert expired.value.reason == "expired"
    assert net.terminals.of_instance("bisik") == []


def test_a_code_of_another_instance_or_a_wrong_code_is_unknown(net):
    bisik, other = _instance(net, "bisik"), _instance(net, "other")
    _record, code = net.terminals.new_pairing_code(bisik, name="Bar", mode="charge")
    for instance, attempt in (("other", code), ("bisik", "AAAA-BBBB-CCCC")):
        with pytest.raises(PairingError) as refused:
            net.terminals.pair(instance, attempt, public_key_text(new_private_key()))
        assert refused.value.reason == "unknown"
    assert other.slug == "other" and net.terminals.of_instance("other") == []


def test_bad_or_reused_keys_are_refused(net):
    bisik = _instance(net, "bisik")
    _r, code = net.terminals.new_pairing_code(bisik, name="Bar", mode="charge")
    for bad in ("", "not-a-key", "AAAA"):
        with pytest.raises(PairingError) as refused:
            net.terminals.pair("bisik", code, bad)
        assert refused.value.reason == "bad_key"
    public = public_key_text(new_private_key())
    net.terminals.pair("bisik", code, public)
    _r, second = net.terminals.new_pairing_code(bisik, name="Bar 2", mode="charge")
    with pytest.raises(PairingError) as reused:
        net.terminals.pair("bisik", second, public)
    assert reused.value.reason == "key_in_use"


def test_name_and_mode_are_checked(net):
    bisik = _instance(net, "bisik")
    for name, mode, field in (("", "charge", "name"), ("x" * 81, "charge", "name"),
                              ("Bar", "no-such-mode", "mode")):  # fmt: skip
        with pytest.raises(TerminalError) as refused:
            net.terminals.new_pairing_code(bisik, name=name, mode=mode)
        assert refused.value.field == field
    assert net.terminals.pending_codes("bisik") == []


def test_two_terminals_racing_with_one_code_pair_once(net):
    bisik = _instance(net, "bisik")
    _r, code = net.terminals.new_pairing_code(bisik, name="Bar", mode="charge")
    results: list[str] = []
    barrier = threading.Barrier(8)

    def attempt() -> None:
        barrier.wait()
        try:
            net.terminals.pair("bisik", code, public_key_text(new_private_key()))
            results.append("paired")
        except PairingError as exc:
            results.append(exc.reason)

    threads = [threading.Thread(target=attempt) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["paired"] + ["used"] * 7
    assert len(net.terminals.of_instance("bisik")) == 1


def test_admin_changes_rename_mode_and_revoke(net):
    bisik = _instance(net, "bisik")
    other = _instance(net, "other")
    _r, code = net.terminals.new_pairing_code(bisik, name="Bar", mode="charge")
    terminal = net.terminals.pair("bisik", code, public_key_text(new_private_key()))
    assert net.terminals.rename("bisik", terminal.id, " Entrée ").name == "Entrée"
    with pytest.raises(TerminalError) as wrong:
        net.terminals.rename("other", terminal.id, "Volé")
    assert wrong.value.field == "terminal"
    with pytest.raises(TerminalError):
        net.terminals.set_mode(other, terminal.id, "charge")
    with pytest.raises(TerminalError) as mode:
        net.terminals.set_mode(bisik, terminal.id, "nope")
    assert mode.value.field == "mode"
    revoked = net.terminals.revoke("bisik", terminal.id, by="admin")
    assert revoked.revoked and revoked.revoked_by == "admin"
    with pytest.raises(TerminalError):
        net.terminals.rename("bisik", terminal.id, "Encore")


def test_old_codes_go_away_when_a_new_one_is_made(net, clock):
    bisik = _instance(net, "bisik")
    old, _code = net.terminals.new_pairing_code(bisik, name="Old", mode="charge")
    clock.now += CODE_SECONDS + 23 * 3600
    net.terminals.new_pairing_code(bisik, name="Recent", mode="charge")
    with net.store.read() as txn:
        assert net.terminals.codes.get(txn, old.key) is not None  # expired less than a day ago
    clock.now += 2 * 3600
    new, _code = net.terminals.new_pairing_code(bisik, name="New", mode="charge")
    with net.store.read() as txn:
        keys = {c.key for c in net.terminals.codes.scan(txn)}
    assert old.key not in keys and new.key in keys and len(keys) == 2


def test_wrong_codes_are_limited_per_address_and_the_window_ends(net, clock):
    bisik = _instance(net, "bisik")
    _r, code = net.terminals.new_pairing_code(bisik, name="Bar", mode="charge")
    key = public_key_text(new_private_key())
    for n in range(PAIR_FAILURES):
        with pytest.raises(PairingError) as wrong:
            net.terminals.pair("bisik", f"AAAA-BBBB-{n:04d}", key, address="10.0.0.9")
        assert wrong.value.reason == "unknown"
    # the address is now refused, even with the right code, which stays unspent
    with pytest.raises(PairingError) as limited:
        net.terminals.pair("bisik", code, key, address="10.0.0.9")
    assert limited.value.reason == "too_many"
    assert 0 < limited.value.retry_after <= PAIR_WINDOW
    assert net.terminals.of_instance("bisik") == []
    assert len(net.terminals.pending_codes("bisik")) == 1
    # another address is not concerned; once the window is over, the first one pairs again
    _r, other_code = net.terminals.new_pairing_code(bisik, name="Caisse", mode="charge")
    net.terminals.pair("bisik", other_code, public_key_text(new_private_key()), address="10.0.0.7")
    clock.now += PAIR_WINDOW  # the first code expired meanwhile: a new one
    _r, fresh = net.terminals.new_pairing_code(bisik, name="Bar", mode="charge")
    assert net.terminals.pair("bisik", fresh, key, address="10.0.0.9").name == "Bar"


def test_a_right_code_and_a_bad_key_are_not_counted(net):
    bisik = _instance(net, "bisik")
    for n in range(PAIR_FAILURES + 2):
        _r, code = net.terminals.new_pairing_code(bisik, name=f"Stand {n}", mode="charge")
        with pytest.raises(PairingError):
            net.terminals.pair("bisik", code, "not-a-key", address="10.0.0.9")
        net.terminals.pair("bisik", code, public_key_text(new_private_key()), address="10.0.0.9")
    assert len(net.terminals.of_instance("bisik")) == PAIR_FAILURES + 2
