"""The demo network's money: assets, federation, cards and a history made through the services."""

from __future__ import annotations

from pathlib import Path

from core import Network, PluginManager, load_settings
from core.wallets import PRIMARY_ASSET_ID, ActionKind, WalletRef
from hosts.demo import ensure_demo
from hosts.demo_money import money_summary


def test_the_demo_has_money_cards_and_a_history(tmp_path: Path) -> None:
    manager = PluginManager(load_entry_points=False)
    _settings, created = ensure_demo(tmp_path / "demo", plugins=manager)
    assert created
    with Network.open(load_settings(tmp_path / "demo"), plugins=manager) as network:
        money = network.money
        codes = {a.code: a for a in money.assets.all()}
        assert set(codes) == {"FED", "BSK", "HRS"}
        bsk = codes["BSK"]
        assert (bsk.issuer, bsk.category, bsk.transferable) == ("le-bisik", "fiat", True)
        assert money.federations.federated_instances(bsk.id) == ["la-ressourcerie"]
        cards = {c.number: c for c in money.cards.imported_by("le-bisik")}
        assert len(cards) == 6
        venue_admin = network.accounts.user_by_email("admin@le-bisik.example")
        assert cards["B-0004"].owner == venue_admin.id
        assert cards["B-0001"].owner == "" and money.cards.holds_money(cards["B-0001"])
        assert money.cards.is_primary_for(cards["B-0006"], "le-bisik")
        history = money.history(WalletRef.card(cards["B-0001"].id), PRIMARY_ASSET_ID)
        assert [e.kind for e in history] == [ActionKind.REFILL]
        assert money.history(WalletRef.card(cards["B-0001"].id), bsk.id)[0].kind == ActionKind.SALE
        assert money.balance(WalletRef.instance("la-ressourcerie"), bsk.id) == 300
        assert money.outstanding(PRIMARY_ASSET_ID) == 7000
        assert money.check_invariants().ok
        lines = dict(money_summary(network, "http://le-bisik.localhost:8000"))
        assert lines["Card B-0001 (04D3E0A1)"] == (
            "http://le-bisik.localhost:8000/carte/demo-carte-0001  [20.00 FED, 2.50 BSK]"
        )
        assert "Card B-0004 (04D3E0A4)" not in lines  # claimed: not offered to visitors
        assert lines["Asset BSK"] == "Monnaie du Bisik (fiat, by le-bisik)"
