"""Federation through the pages: share, e-mail to every admin, accept or decline, revoke, leave.

Revoking or leaving moves no money: balances stay, and new sales in the asset at that instance
are refused; the sales here go through the JSON sale endpoint with a cashier's API key.
"""

from __future__ import annotations

from core.accounts import Role
from core.mail import MailSettings, make_mailer
from core.wallets import FederationStatus, WalletRef
from tests.smtp_server import free_port


def _pay(world, operation_id: str, amount: int = 300):
    """A cashier of Les Goulues sells for ``amount`` of CLA to the card 0001."""
    cashier = world.api("goulues", Role.CASHIER)
    return cashier.post(
        "/api/sales",
        {"operation_id": operation_id, "amount": amount, "card_number": "0001", "asset_id": 2},
    )


def test_share_mails_every_admin_and_the_invited_instance_accepts(money_world):
    network, smtp, cla = money_world.network, money_world.smtp, money_world.cla
    card = network.money.cards.add(uid="04A1B2C3", number="0001")
    money_world.grant(WalletRef.card(card.id), 1000, cla)
    issuer = money_world.login("admin@claf.fr", "claf.localhost")
    page = issuer.get(f"/admin/actifs/{cla.id}").text
    assert '<option value="goulues">Les Goulues</option>' in page  # the list to pick from
    before = len(smtp.messages)
    unknown = issuer.post(f"/admin/actifs/{cla.id}/partager", {"instance": "inconnu"})
    assert unknown.status_code == 400
    assert "Aucun collectif du réseau n&#39;a ce nom d&#39;adresse." in unknown.text
    assert 'value="inconnu"' in unknown.text
    shared = issuer.post(f"/admin/actifs/{cla.id}/partager", {"instance": "Goulues"})
    assert "L&#39;invitation a été envoyée" in shared.text
    mails = {m["To"]: m for m in smtp.messages[before:]}
    assert set(mails) == {"nicolas@goulues.fr", "camille@goulues.fr"}
    french = mails["nicolas@goulues.fr"]
    assert french["Subject"] == "CLAF partage l'actif CLA avec Les Goulues"
    assert "http://goulues.localhost/admin/invitations" in french.get_content()
    assert mails["camille@goulues.fr"]["Subject"] == "CLAF shares the asset CLA with Les Goulues"
    assert "Invitation envoyée, en attente de réponse" in shared.text
    again = issuer.post(f"/admin/actifs/{cla.id}/partager", {"instance": "goulues"})
    assert again.status_code == 409
    assert "Cette invitation ne peut pas changer dans son état actuel." in again.text

    assert _pay(money_world, "before-accept").status_code == 409  # not accepted yet
    producer = money_world.login("nicolas@goulues.fr", "goulues.localhost")
    pending = producer.get("/admin/invitations").text
    assert "CLAF-outils" in pending and "CLAF" in pending
    accepted = producer.post(f"/admin/invitations/{cla.id}/accepter")
    assert "Acceptée : ce collectif accepte désormais cet actif" in accepted.text
    assert "Aucune invitation n'attend de réponse." in accepted.text  # a template's text
    assert network.money.federations.accepts("goulues", cla.id)
    sale = _pay(money_world, "after-accept")
    assert sale.status_code == 201, sale.text
    assert money_world.balance(WalletRef.instance("goulues"), cla) == 300
    listing = issuer.get(f"/admin/actifs/{cla.id}").text
    assert "Acceptée" in listing and "10,00 CLA" in listing  # what the issuer owes


def test_revoke_and_leave_keep_balances_and_refuse_new_sales(money_world):
    network, cla = money_world.network, money_world.cla
    card = network.money.cards.add(uid="04A1B2C3", number="0001")
    money_world.grant(WalletRef.card(card.id), 1000, cla)
    network.money.federations.invite(cla.id, "goulues", by_instance="claf", author="t")
    network.money.federations.accept(cla.id, "goulues", author="t")
    assert _pay(money_world, "sale-1").status_code == 201
    issuer = money_world.login("admin@claf.fr", "claf.localhost")
    issuer.get(f"/admin/actifs/{cla.id}")
    revoked = issuer.post(f"/admin/actifs/{cla.id}/revoquer/goulues")
    assert "L&#39;invitation est révoquée : les soldes restent" in revoked.text
    assert "Révoquée par l&#39;émetteur" in revoked.text
    refused = _pay(money_world, "sale-2")
    assert refused.status_code == 409 and refused.json()["code"] == "asset_not_accepted"
    assert money_world.balance(WalletRef.instance("goulues"), cla) == 300  # stays
    assert money_world.balance(WalletRef.card(card.id), cla) == 700

    issuer.post(f"/admin/actifs/{cla.id}/partager", {"instance": "goulues"})
    producer = money_world.login("camille@goulues.fr", "goulues.localhost")
    producer.get("/admin/invitations")
    producer.post(f"/admin/invitations/{cla.id}/accepter")
    assert _pay(money_world, "sale-3").status_code == 201
    page = producer.get(f"/admin/actifs/{cla.id}").text
    assert "Stop accepting this asset" in page  # Camille reads English
    left = producer.post(f"/admin/actifs/{cla.id}/quitter")
    assert "no longer accepts the asset: balances stay" in left.text
    assert network.money.federations.get(cla.id, "goulues").status == FederationStatus.LEFT
    assert _pay(money_world, "sale-4").status_code == 409
    assert money_world.balance(WalletRef.instance("goulues"), cla) == 600


def test_decline_and_who_may_click(money_world):
    network, cla = money_world.network, money_world.cla
    network.money.federations.invite(cla.id, "goulues", by_instance="claf", author="t")
    venue = money_world.login("admin@bisik.fr", "bisik.localhost")
    venue.get("/admin/invitations")
    stranger = venue.post(f"/admin/invitations/{cla.id}/accepter")  # not invited
    assert stranger.status_code == 409
    assert not network.money.federations.accepts("bisik", cla.id)
    assert venue.post(f"/admin/actifs/{cla.id}/revoquer/goulues").status_code == 404
    producer = money_world.login("nicolas@goulues.fr", "goulues.localhost")
    producer.get("/admin/invitations")
    assert producer.post(f"/admin/actifs/{cla.id}/partager", {"instance": "bisik"}).status_code in {
        403,
        404,
    }
    declined = producer.post(f"/admin/invitations/{cla.id}/refuser")
    assert "L&#39;invitation a été refusée." in declined.text
    assert network.money.federations.get(cla.id, "goulues").status == FederationStatus.DECLINED
    issuer = money_world.login("admin@claf.fr", "claf.localhost")
    assert "Refusée" in issuer.get(f"/admin/actifs/{cla.id}").text


def test_a_mail_that_cannot_leave_keeps_the_invitation_and_says_so(money_world):
    network, cla = money_world.network, money_world.cla
    issuer = money_world.login("admin@claf.fr", "claf.localhost")
    issuer.get(f"/admin/actifs/{cla.id}")
    working = network.mailer
    # a real SMTP client aimed at a port where no server listens: the mail server is down
    network.mailer = make_mailer(
        MailSettings(backend="smtp", smtp_port=free_port(), smtp_timeout=2),
        network.settings.data_path,
    )
    try:
        shared = issuer.post(f"/admin/actifs/{cla.id}/partager", {"instance": "bisik"})
    finally:
        network.mailer = working
    assert "l&#39;e-mail n&#39;a pas pu partir" in shared.text
    assert network.money.federations.get(cla.id, "bisik").status == FederationStatus.PENDING
