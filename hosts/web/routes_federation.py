"""Federation pages: "Partager cet actif", "Invitations d'actifs", revoke, leave.

- ``POST /admin/actifs/{id}/partager``: the issuer invites an instance (typed by its address
  name or picked from the list). The invitation is recorded first; then every admin of the
  invited instance gets an e-mail (in their language) pointing to its "Invitations d'actifs".
  If the mail cannot leave, the invitation stays and the page says so.
- ``GET /admin/invitations``: the pending invitations of this instance; ``POST
  /admin/invitations/{id}/accepter`` and ``.../refuser`` answer them.
- ``POST /admin/actifs/{id}/revoquer/{slug}``: the issuer withdraws an invitation (pending or
  accepted); ``POST /admin/actifs/{id}/quitter``: an instance stops accepting an asset.

Revoking or leaving moves no money: balances stay, new sales in that asset at that instance
are refused by the services (``AssetNotAccepted``). Admins only; the services check that the
instance is the issuer where it must be.
"""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from core.i18n import N_, language
from core.i18n import gettext as _
from core.mail import MailError, Message
from core.network import Network
from core.wallets import Asset, Invitation, MoneyError, UnknownInstance
from hosts.web.instances import network_of, site_of
from hosts.web.money_forms import form_errors, form_status
from hosts.web.money_web import (
    ADMIN_ONLY,
    ADMIN_OPT,
    author_of,
    money_page,
    request_instance,
)
from hosts.web.routes_assets import asset_page, visible_asset

__all__ = ["FEDERATION_ROUTES", "asset_invitation_mail", "notify_invitation"]

_NOTICES = {
    "accepted": N_("Accepted: this collective now accepts the asset in its sales."),
    "declined": N_("The invitation was declined."),
}


def asset_invitation_mail(
    to: str, asset: Asset, issuer: str, place: str, url: str, lang: str
) -> Message:
    """The e-mail to an admin of an instance invited to share an asset."""
    with language(lang):
        return Message(
            to=to,
            subject=_(
                "%(issuer)s shares the asset %(code)s with %(place)s",
                issuer=issuer,
                code=asset.code,
                place=place,
            ),
            text=_(
                "Hello,\n\n%(issuer)s invites %(place)s to accept its asset %(name)s (%(code)s) "
                "in its sales.\n\nTo accept or decline, open the asset invitations of your "
                "admin panel:\n\n%(url)s\n\nNothing changes until an administrator answers.\n",
                issuer=issuer,
                place=place,
                name=asset.name,
                code=asset.code,
                url=url,
            ),
        )


def notify_invitation(network: Network, invitation: Invitation, invitations_url: str) -> bool:
    """E-mail every admin of the invited instance; False if a message could not leave."""
    issuer = network.instances.get(invitation.asset.issuer)
    invited = network.instances.get(invitation.federation.instance)
    issuer_name = issuer.name if issuer else invitation.asset.issuer
    place = invited.name if invited else invitation.federation.instance
    delivered = True
    for email in invitation.notify:
        user = network.accounts.user_by_email(email)
        lang = user.language if user is not None else network.settings.language
        message = asset_invitation_mail(
            email, invitation.asset, issuer_name, place, invitations_url, lang
        )
        try:
            network.mailer.send(message)
        except MailError:
            delivered = False
    return delivered


@post(
    "/admin/actifs/{asset_id:int}/partager",
    guards=ADMIN_ONLY,
    opt=ADMIN_OPT,
    include_in_schema=False,
)
async def share(request: Request[Any, Any, Any], asset_id: FromPath[int]) -> Response[Any]:
    """Invite another instance of the network to accept this asset."""
    instance = request_instance(request)
    network = network_of(request)
    asset = visible_asset(network, instance.slug, asset_id)
    form = await request.form()
    slug = str(form.get("instance", "")).strip().lower()
    try:
        invitation = network.money.federations.invite(
            asset.id, slug, by_instance=instance.slug, author=author_of(request)
        )
    except UnknownInstance:
        errors = {"instance": _("No collective of the network has this address name.")}
        return asset_page(request, asset, errors=errors, share=slug, status=400)
    except MoneyError as exc:
        errors = form_errors(exc, fields={"instance": "instance"})
        return asset_page(request, asset, errors=errors, share=slug, status=form_status(exc))
    url = f"{site_of(request).url_for(slug)}/admin/invitations"
    sent = notify_invitation(network, invitation, url)
    return Redirect(f"/admin/actifs/{asset.id}?ok={'shared' if sent else 'shared-nomail'}")


@post(
    "/admin/actifs/{asset_id:int}/revoquer/{slug:str}",
    guards=ADMIN_ONLY,
    opt=ADMIN_OPT,
    include_in_schema=False,
    sync_to_thread=False,
)
def revoke(
    request: Request[Any, Any, Any], asset_id: FromPath[int], slug: FromPath[str]
) -> Response[Any]:
    """The issuer withdraws an invitation; balances stay."""
    instance = request_instance(request)
    network = network_of(request)
    asset = visible_asset(network, instance.slug, asset_id)
    try:
        network.money.federations.revoke(
            asset.id, slug, by_instance=instance.slug, author=author_of(request)
        )
    except MoneyError as exc:
        return asset_page(request, asset, errors=form_errors(exc), status=form_status(exc))
    return Redirect(f"/admin/actifs/{asset.id}?ok=revoked")


@post(
    "/admin/actifs/{asset_id:int}/quitter",
    guards=ADMIN_ONLY,
    opt=ADMIN_OPT,
    include_in_schema=False,
    sync_to_thread=False,
)
def leave(request: Request[Any, Any, Any], asset_id: FromPath[int]) -> Response[Any]:
    """This instance stops accepting an asset it had accepted; balances stay."""
    instance = request_instance(request)
    network = network_of(request)
    asset = visible_asset(network, instance.slug, asset_id)
    try:
        network.money.federations.leave(asset.id, instance.slug, author=author_of(request))
    except MoneyError as exc:
        return asset_page(request, asset, errors=form_errors(exc), status=form_status(exc))
    return Redirect(f"/admin/actifs/{asset.id}?ok=left")


def _invitations_page(
    request: Request[Any, Any, Any], *, notice: str = "", error: str = "", status: int = 200
) -> Template:
    instance = request_instance(request)
    network = network_of(request)
    names = {i.slug: i.name for i in network.instances.all()}
    pending = network.money.federations.pending_for(instance.slug)
    return money_page(
        request,
        "admin_invitations.html",
        status_code=status,
        pending=pending,
        names=names,
        notice=notice,
        error=error,
    )


@get(
    "/admin/invitations",
    guards=ADMIN_ONLY,
    opt=ADMIN_OPT,
    include_in_schema=False,
    sync_to_thread=False,
)
def invitations(request: Request[Any, Any, Any], ok: FromQuery[str | None] = None) -> Template:
    """The invitations waiting for this instance's answer ("Invitations d'actifs")."""
    template = _NOTICES.get(ok or "")
    return _invitations_page(request, notice=_(template) if template else "")


def _answer(request: Request[Any, Any, Any], asset_id: int, accept: bool) -> Response[Any]:
    instance = request_instance(request)
    federations = network_of(request).money.federations
    author = author_of(request)
    try:
        if accept:
            federations.accept(asset_id, instance.slug, author=author)
        else:
            federations.decline(asset_id, instance.slug, author=author)
    except MoneyError as exc:
        message = next(iter(form_errors(exc).values()))
        return _invitations_page(request, error=message, status=form_status(exc))
    return Redirect(f"/admin/invitations?ok={'accepted' if accept else 'declined'}")


@post(
    "/admin/invitations/{asset_id:int}/accepter",
    guards=ADMIN_ONLY,
    opt=ADMIN_OPT,
    include_in_schema=False,
    sync_to_thread=False,
)
def accept(request: Request[Any, Any, Any], asset_id: FromPath[int]) -> Response[Any]:
    """Accept an invitation: from now on this instance accepts the asset in its sales."""
    return _answer(request, asset_id, True)


@post(
    "/admin/invitations/{asset_id:int}/refuser",
    guards=ADMIN_ONLY,
    opt=ADMIN_OPT,
    include_in_schema=False,
    sync_to_thread=False,
)
def decline(request: Request[Any, Any, Any], asset_id: FromPath[int]) -> Response[Any]:
    """Decline an invitation."""
    return _answer(request, asset_id, False)


FEDERATION_ROUTES = [share, revoke, leave, invitations, accept, decline]
