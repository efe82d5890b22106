"""The demo network holds the CLAF's part: the fund, producers, beneficiaries, payments."""

from __future__ import annotations

from pathlib import Path

from core import InstanceKind, Network, PluginManager, load_settings
from core.wallets import FederationStatus, WalletRef
from hosts.demo import admin_login_links, ensure_demo
from plugins.claf.demo import BENEFICIARIES, PAID_AFTER, PAID_BEFORE
from plugins.claf.service import claf_of


def test_the_demo_holds_the_fund_and_its_producers(tmp_path: Path) -> None:
    data = tmp_path / "demo"
    settings, created = ensure_demo(data, plugins=PluginManager(only=["claf"]))
    assert created
    with Network.open(load_settings(data), plugins=PluginManager(only=["claf"])) as net:
        fund = net.instances.get("claf")
        assert fund.kind == InstanceKind.FOOD_FUND and "claf" in fund.enabled_plugins
        claf = claf_of(net)
        _record, cla = claf.require_fund("claf")
        assert (cla.code, cla.name) == ("CLA", "CLAF-outils")
        goulues = net.instances.get("les-goulues")
        assert goulues.name == "Les Goulues, Pâtes du Cotentin"
        assert goulues.kind == InstanceKind.PRODUCER
        federations = {f.instance: f.status for f in net.money.federations.of_asset(cla.id)}
        accepted = sorted(s for s, st in federations.items() if st == FederationStatus.ACCEPTED)
        assert accepted == ["la-ferme-du-bocage", "le-fournil-de-flers", "les-goulues"]
        assert [s for s, st in federations.items() if st == FederationStatus.PENDING] == [
            "la-cidrerie-du-houlme"
        ]
        beneficiaries = claf.beneficiaries.of_fund("claf")
        assert len(beneficiaries) == len(BENEFICIARIES)
        assert sum(1 for b in beneficiaries if b.active) == 5
        assert sum(1 for b in beneficiaries if b.card_id) == 2
        (remittance,) = claf.remittances("claf")
        assert remittance.instance == "les-goulues"
        paid = sum(c for _w, p, c in PAID_BEFORE + PAID_AFTER if p == "les-goulues")
        left = net.money.balance(WalletRef.instance("les-goulues"), cla.id)
        assert remittance.amount + left == paid and left > 0
        places = {p.slug: p.balance for p in claf.places("claf")}
        assert set(places) == set(accepted) and all(places.values())
        report = net.money.check_invariants()
        assert report.ok, report.problems
        urls = {i.slug: f"http://{i.slug}.localhost:8000" for i in net.instances.all()}
    links = dict(admin_login_links(settings, urls))
    assert links["admin@claf.example"].startswith("http://claf.localhost:8000/connexion/lien/")
    assert links["tresorier@claf.example"].startswith("http://claf.localhost:8000/")
    assert links["admin@les-goulues.example"].startswith("http://les-goulues.localhost:8000/")
    assert "admin@le-bisik.example" in links
