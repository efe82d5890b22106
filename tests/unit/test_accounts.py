"""Users, roles, sessions, e-mailed links and API keys, on a real store with a fake clock."""

from __future__ import annotations

import threading

import pytest

from core.accounts import AccountError, Accounts, Role, normalize_email, role_allows
from core.apikeys import ApiKeyError, ApiKeys
from core.login_links import LinkError, LoginLinks, RateLimited
from core.store import Store


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def world(tmp_path):
    store = Store(tmp_path / "s")
    clock = Clock()
    yield store, clock, Accounts(store, clock=clock), LoginLinks(store, clock=clock)
    store.close()


def test_emails_are_normalised_and_checked():
    assert normalize_email("  Nicolas@LesGoulues.FR ") == "nicolas@lesgoulues.fr"
    for bad in ["", "nicolas", "a@b", "a b@c.fr", "x" * 250 + "@a.fr"]:
        with pytest.raises(AccountError) as info:
            normalize_email(bad)
        assert info.value.field == "email"


def test_one_user_per_email_and_roles_per_instance(world):
    store, _clock, accounts, _links = world
    user = store.write(lambda tx: accounts.ensure_user(tx, "Nicolas@lesgoulues.fr"))
    again = store.write(lambda tx: accounts.ensure_user(tx, "nicolas@LESGOULUES.fr"))
    assert again.id == user.id
    store.write(lambda tx: accounts.grant(tx, "les-goulues", user.id, Role.ADMIN))
    store.write(lambda tx: accounts.grant(tx, "claf", user.id, Role.MEMBER))
    assert accounts.role_of("les-goulues", user.id) is Role.ADMIN
    assert accounts.role_of("claf", user.id) is Role.MEMBER
    assert accounts.role_of("le-bisik", user.id) is None
    store.write(lambda tx: accounts.grant(tx, "claf", user.id, Role.TREASURER))
    assert accounts.role_of("claf", user.id) is Role.TREASURER
    assert [u.email for u, _ in accounts.members_of("claf")] == ["nicolas@lesgoulues.fr"]
    assert store.write(lambda tx: accounts.revoke(tx, "claf", user.id)) is True
    assert accounts.role_of("claf", user.id) is None
    assert sorted(g.instance for g in accounts.grants_of(user.id)) == ["les-goulues"]


def test_role_rules():
    assert role_allows(Role.ADMIN, Role.TREASURER)
    assert role_allows(Role.TREASURER, Role.TREASURER)
    assert role_allows(Role.CASHIER, Role.MEMBER)
    assert not role_allows(Role.CASHIER, Role.TREASURER)
    assert not role_allows(Role.TREASURER, Role.ADMIN)
    assert not role_allows(None, Role.MEMBER)


def test_user_settings(world):
    store, _clock, accounts, _links = world
    user = store.write(lambda tx: accounts.ensure_user(tx, "a@b.fr"))
    updated = accounts.update_user(user.id, name=" Nicolas ", language="en")
    assert (updated.name, updated.language) == ("Nicolas", "en")
    with pytest.raises(AccountError) as info:
        accounts.update_user(user.id, name="x", language="de")
    assert info.value.field == "language"


def test_sessions_expire_and_end_at_logout(world):
    store, clock, accounts, _links = world
    user = store.write(lambda tx: accounts.ensure_user(tx, "a@b.fr"))
    secret = store.write(lambda tx: accounts.open_session(tx, user.id))
    assert accounts.session_user(secret).id == user.id
    assert accounts.session_user("forged") is None
    assert accounts.session_user(None) is None
    assert accounts.close_session(secret) is True
    assert accounts.session_user(secret) is None
    other = store.write(lambda tx: accounts.open_session(tx, user.id))
    clock.now += 31 * 24 * 3600
    assert accounts.session_user(other) is None
    assert accounts.close_all_sessions(user.id) == 1


def test_session_secret_is_not_stored(world, tmp_path):
    store, _clock, accounts, _links = world
    user = store.write(lambda tx: accounts.ensure_user(tx, "a@b.fr"))
    secret = store.write(lambda tx: accounts.open_session(tx, user.id))
    store.sync()
    raw = b"".join(p.read_bytes() for p in (tmp_path / "s").iterdir() if p.is_file())
    assert secret.encode() not in raw


def test_links_are_single_use_and_expire(world):
    store, clock, _accounts, links = world
    secret = links.issue("A@b.fr", purpose="login", ip="10.0.0.1")
    link = store.write(lambda tx: links.consume(tx, secret, purpose="login"))
    assert link.email == "a@b.fr"
    with pytest.raises(LinkError) as info:
        store.write(lambda tx: links.consume(tx, secret, purpose="login"))
    assert info.value.reason == "used"
    late = links.issue("a@b.fr", purpose="login")
    clock.now += 15 * 60
    with pytest.raises(LinkError) as info:
        store.write(lambda tx: links.consume(tx, late, purpose="login"))
    assert info.value.reason == "expired"
    other = links.issue("a@b.fr", purpose="create-instance", data={"slug": "x"})
    with pytest.raises(LinkError) as info:
        store.write(lambda tx: links.consume(tx, other, purpose="login"))
    assert info.value.reason == "purpose"
    with pytest.raises(LinkError) as info:
        store.write(lambda tx: links.consume(tx, "nothing", purpose="login"))
    assert info.value.reason == "unknown"
    assert links.peek(other).data == {"slug": "x"}


def test_a_link_clicked_twice_at_once_lets_one_through(world):
    store, _clock, _accounts, links = world
    secret = links.issue("a@b.fr", purpose="login")
    outcomes: list[str] = []
    barrier = threading.Barrier(8)

    def click():
        barrier.wait()
        try:
            store.write_grouped(lambda tx: links.consume(tx, secret, purpose="login"))
            outcomes.append("in")
        except LinkError as exc:
            outcomes.append(exc.reason)

    threads = [threading.Thread(target=click) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["in"] + ["used"] * 7


def test_links_are_rate_limited_per_email_and_per_ip(world):
    _store, clock, _accounts, links = world
    for _ in range(5):
        links.issue("a@b.fr", purpose="login", ip="10.0.0.1")
    with pytest.raises(RateLimited) as info:
        links.issue("a@b.fr", purpose="login", ip="10.0.0.2")
    assert info.value.scope == "e-mail address"
    assert 0 < info.value.retry_after <= 15 * 60
    for i in range(15):
        links.issue(f"u{i}@b.fr", purpose="login", ip="10.0.0.1")
    with pytest.raises(RateLimited) as info:
        links.issue("new@b.fr", purpose="login", ip="10.0.0.1")
    assert info.value.scope == "network address"
    clock.now += 15 * 60 + 1
    links.issue("a@b.fr", purpose="login", ip="10.0.0.1")
    assert links.purge(older_than=0) >= 0


def test_refused_link_stores_nothing(world):
    store, _clock, _accounts, links = world
    with pytest.raises(AccountError):
        links.issue("not-an-email", purpose="login")
    with store.read() as txn:
        assert links.links.count(txn) == 0


def test_api_keys_shown_once_hashed_revocable_and_scoped(world):
    store, clock, _accounts, _links = world
    keys = ApiKeys(store, clock=clock)
    record, secret = keys.create("claf", Role.TREASURER, "Tableur", by="admin-id")
    assert secret.startswith("tl_" + record.id + "_")
    assert secret not in repr(record)
    assert keys.authenticate(secret).role is Role.TREASURER
    assert keys.authenticate(secret + "x") is None
    assert keys.authenticate("tl_forged") is None
    with pytest.raises(ApiKeyError) as info:
        keys.revoke("le-bisik", record.id)
    assert info.value.field == "key"
    assert keys.authenticate(secret) is not None
    keys.revoke("claf", record.id)
    assert keys.authenticate(secret) is None
    assert [k.active for k in keys.of_instance("claf")] == [False]
    with pytest.raises(ApiKeyError) as info:
        keys.create("claf", Role.ADMIN, "  ")
    assert info.value.field == "label"
