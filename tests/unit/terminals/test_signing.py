"""Signed requests: replay, old or future timestamps, wrong key, revoked, tampering refused."""

from __future__ import annotations

import pytest

from core import Instance
from core.terminals import WINDOW, SignatureError
from core.terminals.signing import (
    canonical_string,
    load_public_key,
    new_private_key,
    parse_headers,
    private_key_from_text,
    private_key_text,
    public_key_text,
    sign_request,
)

TARGET = "/api/terminals/tap"


@pytest.fixture
def bar(net, paired):
    net.instances.create(Instance(slug="bisik", name="Le Bisik"))
    return paired("bisik")


def _verify(net, headers, body, *, instance="bisik", host="bisik.localhost", method="POST",
            target=TARGET):  # fmt: skip
    return net.terminals.verify(
        headers, instance=instance, method=method, host=host, target=target, body=body
    )


def _reason(call) -> str:
    with pytest.raises(SignatureError) as refused:
        call()
    return refused.value.reason


def test_the_canonical_string_is_the_documented_one():
    text = canonical_string(
        method="post", host="Bisik.Localhost:8000", target="/api/terminals/tap", timestamp=12,
        nonce="n" * 16, terminal_id="trm_1", body=b"",
    )  # fmt: skip
    assert text.decode().split("\n") == [
        "tirelire-terminal-v1",
        "POST",
        "bisik.localhost:8000",
        "/api/terminals/tap",
        "12",
        "n" * 16,
        "trm_1",
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    ]


def test_a_signed_request_is_accepted_once(net, clock, bar):
    headers, body = bar.signed({"x": 1}, now=clock.now)
    terminal, signed = _verify(net, headers, body)
    assert terminal.id == bar.terminal.id
    seen = net.terminals.hello(signed, address="127.0.0.1")
    assert seen.last_seen_at == clock.now and seen.last_seen_from == "127.0.0.1"
    _terminal, again = _verify(net, headers, body)  # the signature itself is still valid...
    assert _reason(lambda: net.terminals.hello(again)) == "replayed"  # ...but used


def test_old_and_future_timestamps_are_refused(net, clock, bar):
    old, body = bar.signed(b"", now=clock.now - WINDOW - 1)
    with pytest.raises(SignatureError) as stale:
        _verify(net, old, body)
    assert stale.value.reason == "stale" and stale.value.server_time == clock.now
    ahead, body = bar.signed(b"", now=clock.now + WINDOW + 1)
    assert _reason(lambda: _verify(net, ahead, body)) == "future"
    edge, body = bar.signed(b"", now=clock.now - WINDOW)
    assert _verify(net, edge, body)[0].id == bar.terminal.id


def test_a_wrong_key_is_refused(net, clock, bar):
    headers = sign_request(
        new_private_key(), terminal_id=bar.terminal.id, method="POST", host=bar.host,
        target=TARGET, body=b"{}", now=clock.now,
    )  # fmt: skip
    assert _reason(lambda: _verify(net, headers, b"{}")) == "bad_signature"


def test_tampering_with_anything_signed_is_refused(net, clock, bar):
    headers, body = bar.signed({"tap_id": "a" * 8, "uid": "A1B2C3D4"}, now=clock.now)
    tampered = body.replace(b"A1B2C3D4", b"A1B2C3D5")
    assert _reason(lambda: _verify(net, headers, tampered)) == "bad_signature"
    assert _reason(lambda: _verify(net, headers, body, method="PUT")) == "bad_signature"
    assert _reason(lambda: _verify(net, headers, body, target="/api/x")) == "bad_signature"
    assert _reason(lambda: _verify(net, headers, body, host="x.localhost")) == "bad_signature"
    for name in ("X-Tirelire-Timestamp", "X-Tirelire-Nonce"):
        changed = dict(headers)
        changed[name] = str(int(clock.now) - 1) if "Time" in name else "z" * 22
        assert _reason(lambda c=changed: _verify(net, c, body)) == "bad_signature"
    assert _verify(net, headers, body)[0].id == bar.terminal.id  # the untouched one passes


def test_revoked_unknown_and_other_instance_terminals_are_refused(net, clock, bar, paired):
    net.instances.create(Instance(slug="other", name="Other"))
    headers, body = bar.signed(b"", now=clock.now)
    assert _reason(lambda: _verify(net, headers, body, instance="other")) == "wrong_instance"
    unknown = dict(headers, **{"X-Tirelire-Terminal": "trm_nobody"})
    assert _reason(lambda: _verify(net, unknown, body)) == "unknown_terminal"
    _terminal, signed = _verify(net, headers, body)
    net.terminals.revoke("bisik", bar.terminal.id)
    assert _reason(lambda: _verify(net, headers, body)) == "revoked"
    # verified just before the revocation, acted on just after: still refused
    assert _reason(lambda: net.terminals.hello(signed)) == "revoked"


def test_missing_or_malformed_headers_are_refused(net, clock, bar):
    headers, _body = bar.signed(b"", now=clock.now)
    assert _reason(lambda: parse_headers({})) == "missing_headers"
    malformed = [("X-Tirelire-Timestamp", "soon"), ("X-Tirelire-Nonce", "short"),
                 ("X-Tirelire-Signature", "!!"), ("X-Tirelire-Terminal", "a b")]  # fmt: skip
    for name, value in malformed:
        broken = dict(headers, **{name: value})
        assert _reason(lambda b=broken: parse_headers(b)) == "bad_headers"
    lower = {k.lower(): v for k, v in headers.items()}
    assert parse_headers(lower).terminal_id == bar.terminal.id


def test_the_replay_cache_forgets_what_is_too_old_to_matter(net, clock, bar):
    for _ in range(5):
        _t, signed = _verify(net, *bar.signed(b"", now=clock.now))
        net.terminals.hello(signed)
    with net.store.read() as txn:
        assert net.terminals.replay.size(txn) == 5
    clock.now += WINDOW + 2
    _t, signed = _verify(net, *bar.signed(b"", now=clock.now))
    net.terminals.hello(signed)
    with net.store.read() as txn:
        assert net.terminals.replay.size(txn) == 1


def test_keys_round_trip_through_text():
    key = new_private_key()
    again = private_key_from_text(private_key_text(key))
    assert public_key_text(again) == public_key_text(key)
    assert load_public_key(public_key_text(key)) is not None
    with pytest.raises(ValueError):
        private_key_from_text("AAAA")
