"""The CLAF's part of the demo network, written through the services like real use.

``populate`` (hook ``populate_demo``) adds the food fund ``claf`` (plugin enabled, asset
"CLAF-outils" ``CLA`` issued), three producers that accepted it (``les-goulues``, "Les Goulues,
Pâtes du Cotentin" of the seed, and two more), a fourth whose invitation is still pending, an
admin for each and a treasurer for the fund (their login links are printed when the demo
starts), six beneficiaries (two with a card, one stopped) granted last month's and this
month's allocations, payments from beneficiaries to producers, and one past bank remittance.
"""

from __future__ import annotations

import datetime

from core import Instance, InstanceKind, Network
from core.accounts import Role
from core.store import Tx
from core.wallets import WalletRef

from .amounts import month_of
from .service import claf_of, new_token

__all__ = ["BENEFICIARIES", "FUND", "PENDING", "PRODUCERS", "STAFF", "populate"]

FUND = Instance(
    slug="claf",
    name="CLAF – Caisse Alimentaire Flers Agglo",
    kind=InstanceKind.FOOD_FUND,
    description="Caisse alimentaire : une allocation mensuelle en CLAF-outils, à dépenser "
    "chez les producteurs locaux.",
    website="https://example.org/claf",
)
PRODUCERS = (
    Instance(
        slug="les-goulues",
        name="Les Goulues, Pâtes du Cotentin",
        kind=InstanceKind.PRODUCER,
        description="Pâtes artisanales locales.",
        website="http://lesgoulues.fr",
    ),
    Instance(
        slug="la-ferme-du-bocage",
        name="La Ferme du Bocage",
        kind=InstanceKind.PRODUCER,
        description="Légumes de saison en vente directe.",
    ),
    Instance(
        slug="le-fournil-de-flers",
        name="Le Fournil de Flers",
        kind=InstanceKind.PRODUCER,
        description="Pain au levain et farines locales.",
    ),
)
#: invited to share CLA, has not answered yet
PENDING = Instance(
    slug="la-cidrerie-du-houlme",
    name="La Cidrerie du Houlme",
    kind=InstanceKind.PRODUCER,
    description="Cidre et jus de pomme fermiers.",
)
#: (instance, e-mail, role) of the demo's staff (reserved domain: never delivered)
STAFF = (
    ("claf", "admin@claf.example", Role.ADMIN),
    ("claf", "tresorier@claf.example", Role.TREASURER),
    *((p.slug, f"admin@{p.slug}.example", Role.ADMIN) for p in (*PRODUCERS, PENDING)),
)
#: (e-mail, card number or "", monthly allocation as typed, active)
BENEFICIARIES = (
    ("beneficiaire1@claf.example", "CLAF-0001", "50,00", True),
    ("beneficiaire2@claf.example", "CLAF-0002", "80,00", True),
    ("beneficiaire3@claf.example", "", "100,00", True),
    ("beneficiaire4@claf.example", "", "50,00", True),
    ("beneficiaire5@claf.example", "", "120,00", True),
    ("beneficiaire6@claf.example", "", "80,00", False),
)
CARDS = (("04A1B2C3D4E501", "CLAF-0001"), ("04A1B2C3D4E502", "CLAF-0002"))
#: (beneficiary number, producer slug, cents) paid before the remittance, then after it
PAID_BEFORE = ((1, "les-goulues", 1250), (2, "les-goulues", 2300), (3, "la-ferme-du-bocage", 4200))
PAID_AFTER = (
    (1, "les-goulues", 890),
    (3, "le-fournil-de-flers", 640),
    (4, "la-ferme-du-bocage", 1875),
    (5, "les-goulues", 3100),
    (2, "le-fournil-de-flers", 420),
)
AUTHOR = "admin@claf.example"


def populate(network: Network) -> None:
    """Add the CLAF's part of the demo to a new demo network (see the module)."""
    for instance in (FUND, *PRODUCERS, PENDING):
        if network.instances.get(instance.slug) is None:
            network.instances.create(instance)
        network.instances.set_plugin(instance.slug, "claf", True)

    def staff(tx: Tx) -> None:
        for slug, email, role in STAFF:
            user = network.accounts.ensure_user(tx, email)
            network.accounts.grant(tx, slug, user.id, role)

    network.store.write(staff)
    claf = claf_of(network)
    fund, _created = claf.setup(FUND.slug, name="CLAF-outils", code="CLA", author=AUTHOR)
    money = network.money
    for producer in (*PRODUCERS, PENDING):
        money.federations.invite(fund.asset_id, producer.slug, by_instance=FUND.slug, author=AUTHOR)
    for producer in PRODUCERS:
        money.federations.accept(
            fund.asset_id, producer.slug, author=f"admin@{producer.slug}.example"
        )
    for uid, number in CARDS:
        money.cards.add(uid=uid, number=number)
    people = []
    for email, card, allocation, active in BENEFICIARIES:
        registered = claf.beneficiaries.register(
            FUND.slug, email=email, card_number=card, monthly_allocation=allocation, author=AUTHOR
        )
        if not active:
            claf.beneficiaries.set_active(FUND.slug, registered.id, False)
        people.append(registered)
    today = datetime.date.today()
    last_month = month_of(today.replace(day=1) - datetime.timedelta(days=1))
    claf.allocate(FUND.slug, last_month, author=AUTHOR)
    _pay(network, fund.asset_id, people, PAID_BEFORE, "before")
    goulues = money.balance(WalletRef.instance("les-goulues"), fund.asset_id)
    claf.remit(
        FUND.slug,
        producer="les-goulues",
        amount=goulues,
        bank_reference="VIR-CLAF-0001",
        bank_date=today.isoformat(),
        author="tresorier@claf.example",
        token=new_token(),
    )
    claf.allocate(FUND.slug, month_of(today), author=AUTHOR)
    _pay(network, fund.asset_id, people, PAID_AFTER, "after")


def _pay(
    network: Network,
    asset_id: int,
    people: list,
    payments: tuple[tuple[int, str, int], ...],
    label: str,
) -> None:
    for index, (who, producer, cents) in enumerate(payments):
        network.money.sale(
            operation_id=f"demo-claf-{label}-{index}",
            payer=WalletRef.user(people[who - 1].user_id),
            instance=producer,
            amount=cents,
            asset_ids=[asset_id],
            author=people[who - 1].email,
        )
