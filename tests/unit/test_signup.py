"""Creating an instance: validation by field, the e-mailed link, the admin."""

from __future__ import annotations

import msgspec
import pytest

from core.accounts import Accounts, Role
from core.instances import Instance, InstanceError, Instances
from core.login_links import LinkError, LoginLinks
from core.signup import SignupError, SignupForm, Signups, propose_slug
from core.store import Store

SEED_FORM = SignupForm(
    email="nicolas@lesgoulues.fr",
    email_confirm="nicolas@lesgoulues.fr",
    name="Les Goulues, Pâtes du Cotentin",
    website="http://lesgoulues.fr",
    description="Pâtes artisanales locales.",
    kind="producer",
    wants_cash_register=False,
    accepts_terms=True,
    domain="tibillet.coop",
)


@pytest.fixture
def signups(tmp_path):
    store = Store(tmp_path / "s")
    accounts = Accounts(store)
    service = Signups(
        Instances(store), accounts, LoginLinks(store), ["tibillet.coop", "tibillet.re"]
    )
    yield store, service
    store.close()


def test_slug_is_proposed_from_the_name():
    assert propose_slug("Les Goulues, Pâtes du Cotentin") == "les-goulues-pates-du-cotentin"
    assert propose_slug("  Vavang'Art ") == "vavang-art"
    assert len(propose_slug("é" * 10 + "a" * 100)) <= 63


def test_the_seed_form_creates_the_instance_and_its_admin(signups):
    store, service = signups
    clean, secret = service.request(SEED_FORM, ip="127.0.0.1")
    assert clean.slug == "les-goulues-pates-du-cotentin"
    assert service.instances.get(clean.slug) is None  # nothing before the link is clicked
    instance, user = store.write(lambda tx: service.confirm(tx, secret))
    assert instance.name == "Les Goulues, Pâtes du Cotentin"
    assert instance.kind == "producer"
    assert instance.base_domain == "tibillet.coop"
    assert user.email == "nicolas@lesgoulues.fr"
    assert service.accounts.role_of(instance.slug, user.id) is Role.ADMIN
    with pytest.raises(LinkError):
        store.write(lambda tx: service.confirm(tx, secret))


def test_every_error_is_named_by_field_at_once(signups):
    _store, service = signups
    bad = SignupForm(
        email="nicolas@",
        email_confirm="x",
        name="",
        website="lesgoulues",
        kind="castle",
        accepts_terms=False,
        domain="example.org",
        slug="Pas_bon",
    )
    with pytest.raises(SignupError) as info:
        service.check(bad)
    assert set(info.value.errors) == {
        "email",
        "name",
        "website",
        "kind",
        "accepts_terms",
        "domain",
        "slug",
    }
    mismatch = msgspec.structs.replace(SEED_FORM, email_confirm="other@lesgoulues.fr")
    with pytest.raises(SignupError) as info:
        service.check(mismatch)
    assert set(info.value.errors) == {"email_confirm"}


def test_taken_slug_is_refused_then_and_at_confirmation(signups):
    store, service = signups
    _clean, secret = service.request(SEED_FORM)
    service.instances.create(Instance(slug="les-goulues-pates-du-cotentin", name="Déjà là"))
    with pytest.raises(SignupError) as info:
        service.check(SEED_FORM)
    assert set(info.value.errors) == {"slug"}
    with pytest.raises(InstanceError):
        store.write(lambda tx: service.confirm(tx, secret))
    # the failed confirmation spent nothing: the link is still unused
    assert service.links.peek(secret).used_at == 0
