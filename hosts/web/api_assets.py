"""JSON API of assets, federation, invitations and the payment order (``/api/...``).

The same rules as the pages: reads for the instance's staff (cashier, treasurer, admin),
changes for its admins; an API key acts only on its own instance (a key of A on B: 403). The
services check the money rules (only the issuer edits, archives, shares or revokes) and
their errors become problem details (:mod:`hosts.web.money_errors`).

| method and path | role | what |
|---|---|---|
| ``GET /api/assets`` | staff | issued and accepted assets |
| ``POST /api/assets`` | admin | create a local asset |
| ``GET /api/assets/{id}`` | staff | one asset (issuer: invitations, outstanding) |
| ``PATCH /api/assets/{id}`` | admin | edit name, code, transferable |
| ``POST /api/assets/{id}/archive`` | admin | archive or put back in use |
| ``POST /api/assets/{id}/invitations`` | admin | share with an instance (e-mails its admins) |
| ``POST /api/assets/{id}/invitations/{slug}/revoke`` | admin | the issuer revokes |
| ``POST /api/assets/{id}/leave`` | admin | stop accepting an asset |
| ``GET /api/invitations`` | admin | pending invitations of this instance |
| ``POST /api/invitations/{id}/accept`` and ``.../decline`` | admin | answer |
| ``GET /api/payment-order``, ``PUT /api/payment-order`` | staff, admin | sale order |
"""

from __future__ import annotations

from typing import Any

from litestar import Request, get, patch, post, put
from litestar.params import FromPath, JSONBody

from core.wallets import Asset, AssetCategory, Federation
from hosts.web.api_money_models import (
    ArchiveBody,
    AssetCreate,
    AssetDetail,
    AssetEdit,
    AssetList,
    InvitationOut,
    InviteBody,
    PaymentOrderIn,
    PaymentOrderOut,
    PendingInvitation,
)
from hosts.web.instances import network_of, site_of
from hosts.web.money_web import (
    ADMIN_API,
    ADMIN_ONLY,
    ADMIN_OPT,
    STAFF,
    STAFF_OPT,
    author_of,
    request_instance,
)
from hosts.web.routes_assets import visible_asset
from hosts.web.routes_federation import notify_invitation
from hosts.web.routes_priority import effective_order

__all__ = ["ASSET_API_ROUTES"]

TAGS = ["money: assets"]
ADMIN_WRITE = ADMIN_API


@get("/api/assets", guards=STAFF, opt=STAFF_OPT, tags=TAGS, sync_to_thread=False,
     summary="Assets issued and accepted by this instance")  # fmt: skip
def api_assets(request: Request[Any, Any, Any]) -> AssetList:
    """The assets this instance issued, and every asset it accepts in sales."""
    slug = request_instance(request).slug
    money = network_of(request).money
    return AssetList(
        issued=money.assets.issued_by(slug),
        accepted=money.federations.accepted_assets(slug),
    )


@post("/api/assets", guards=ADMIN_WRITE, opt=ADMIN_OPT, tags=TAGS, sync_to_thread=False,
      summary="Create a local asset")  # fmt: skip
def api_asset_create(request: Request[Any, Any, Any], data: JSONBody[AssetCreate]) -> Asset:
    """Create an asset issued by this instance (201); a taken code is a 409."""
    return network_of(request).money.assets.create(
        issuer=request_instance(request).slug,
        code=data.code,
        name=data.name,
        category=AssetCategory(data.category),
        decimals=data.decimals,
        transferable=data.transferable,
    )


@get("/api/assets/{asset_id:int}", guards=STAFF, opt=STAFF_OPT, tags=TAGS, sync_to_thread=False,
     summary="One asset")  # fmt: skip
def api_asset(request: Request[Any, Any, Any], asset_id: FromPath[int]) -> AssetDetail:
    """The asset; for its issuer, every invitation and what it owes."""
    slug = request_instance(request).slug
    network = network_of(request)
    asset = visible_asset(network, slug, asset_id)
    if asset.issuer != slug:
        return AssetDetail(asset=asset, issuer=False)
    money = network.money
    return AssetDetail(
        asset=asset,
        issuer=True,
        federations=money.federations.of_asset(asset.id),
        outstanding=money.outstanding(asset.id),
    )


@patch("/api/assets/{asset_id:int}", guards=ADMIN_WRITE, opt=ADMIN_OPT, tags=TAGS,
       sync_to_thread=False, summary="Edit an asset")  # fmt: skip
def api_asset_edit(
    request: Request[Any, Any, Any], asset_id: FromPath[int], data: JSONBody[AssetEdit]
) -> Asset:
    """Change the name, the code or transferability (the issuer only: else 403)."""
    slug = request_instance(request).slug
    network = network_of(request)
    asset = visible_asset(network, slug, asset_id)
    return network.money.assets.edit(
        asset.id, by_instance=slug, name=data.name, code=data.code, transferable=data.transferable
    )


@post("/api/assets/{asset_id:int}/archive", guards=ADMIN_WRITE, opt=ADMIN_OPT, tags=TAGS,
      status_code=200, sync_to_thread=False, summary="Archive or restore an asset")  # fmt: skip
def api_asset_archive(
    request: Request[Any, Any, Any], asset_id: FromPath[int], data: JSONBody[ArchiveBody]
) -> Asset:
    """Archive (no new money in it) or put back in use; the issuer only."""
    slug = request_instance(request).slug
    network = network_of(request)
    asset = visible_asset(network, slug, asset_id)
    return network.money.assets.archive(asset.id, by_instance=slug, archived=data.archived)


@post("/api/assets/{asset_id:int}/invitations", guards=ADMIN_WRITE, opt=ADMIN_OPT, tags=TAGS,
      sync_to_thread=False, summary="Share an asset with another instance")  # fmt: skip
def api_invite(
    request: Request[Any, Any, Any], asset_id: FromPath[int], data: JSONBody[InviteBody]
) -> InvitationOut:
    """Invite an instance; its admins are e-mailed (``mail_failed`` if a mail could not leave)."""
    slug = request_instance(request).slug
    network = network_of(request)
    asset = visible_asset(network, slug, asset_id)
    invited = data.instance.strip().lower()
    invitation = network.money.federations.invite(
        asset.id, invited, by_instance=slug, author=author_of(request)
    )
    url = f"{site_of(request).url_for(invited)}/admin/invitations"
    delivered = notify_invitation(network, invitation, url)
    return InvitationOut(
        federation=invitation.federation,
        mailed=len(invitation.notify),
        mail_failed=not delivered,
    )


@post("/api/assets/{asset_id:int}/invitations/{slug:str}/revoke", guards=ADMIN_WRITE,
      opt=ADMIN_OPT, tags=TAGS, status_code=200, sync_to_thread=False,
      summary="Revoke an invitation (issuer)")  # fmt: skip
def api_revoke(
    request: Request[Any, Any, Any], asset_id: FromPath[int], slug: FromPath[str]
) -> Federation:
    """The issuer withdraws a pending or accepted invitation; balances stay."""
    mine = request_instance(request).slug
    network = network_of(request)
    asset = visible_asset(network, mine, asset_id)
    return network.money.federations.revoke(
        asset.id, slug, by_instance=mine, author=author_of(request)
    )


@post("/api/assets/{asset_id:int}/leave", guards=ADMIN_WRITE, opt=ADMIN_OPT, tags=TAGS,
      status_code=200, sync_to_thread=False, summary="Stop accepting an asset")  # fmt: skip
def api_leave(request: Request[Any, Any, Any], asset_id: FromPath[int]) -> Federation:
    """This instance stops accepting an asset it had accepted; balances stay."""
    slug = request_instance(request).slug
    network = network_of(request)
    asset = visible_asset(network, slug, asset_id)
    return network.money.federations.leave(asset.id, slug, author=author_of(request))


@get("/api/invitations", guards=ADMIN_ONLY, opt=ADMIN_OPT, tags=TAGS, sync_to_thread=False,
     summary="Invitations waiting for this instance")  # fmt: skip
def api_invitations(request: Request[Any, Any, Any]) -> list[PendingInvitation]:
    """The pending invitations of this instance ("Invitations d'actifs")."""
    pending = network_of(request).money.federations.pending_for(request_instance(request).slug)
    return [PendingInvitation(federation=f, asset=a) for f, a in pending]


@post("/api/invitations/{asset_id:int}/accept", guards=ADMIN_WRITE, opt=ADMIN_OPT, tags=TAGS,
      status_code=200, sync_to_thread=False, summary="Accept an invitation")  # fmt: skip
def api_accept(request: Request[Any, Any, Any], asset_id: FromPath[int]) -> Federation:
    """Accept: this instance accepts the asset in its sales from now on."""
    slug = request_instance(request).slug
    federations = network_of(request).money.federations
    return federations.accept(asset_id, slug, author=author_of(request))


@post("/api/invitations/{asset_id:int}/decline", guards=ADMIN_WRITE, opt=ADMIN_OPT, tags=TAGS,
      status_code=200, sync_to_thread=False, summary="Decline an invitation")  # fmt: skip
def api_decline(request: Request[Any, Any, Any], asset_id: FromPath[int]) -> Federation:
    """Decline the invitation."""
    slug = request_instance(request).slug
    federations = network_of(request).money.federations
    return federations.decline(asset_id, slug, author=author_of(request))


def _order(request: Request[Any, Any, Any]) -> PaymentOrderOut:
    slug = request_instance(request).slug
    network = network_of(request)
    return PaymentOrderOut(
        asset_ids=network.money.orders.get(slug), effective=effective_order(network, slug)
    )


@get("/api/payment-order", guards=STAFF, opt=STAFF_OPT, tags=TAGS, sync_to_thread=False,
     summary="The order in which a sale takes assets")  # fmt: skip
def api_order(request: Request[Any, Any, Any]) -> PaymentOrderOut:
    """The chosen order and the effective order of the assets accepted here."""
    return _order(request)


@put("/api/payment-order", guards=ADMIN_WRITE, opt=ADMIN_OPT, tags=TAGS, sync_to_thread=False,
     summary="Set the payment order")  # fmt: skip
def api_order_set(
    request: Request[Any, Any, Any], data: JSONBody[PaymentOrderIn]
) -> PaymentOrderOut:
    """Store the order (asset ids first used; [] for the default order)."""
    network_of(request).money.orders.set(request_instance(request).slug, list(data.asset_ids))
    return _order(request)


ASSET_API_ROUTES = [
    api_assets,
    api_asset_create,
    api_asset,
    api_asset_edit,
    api_asset_archive,
    api_invite,
    api_revoke,
    api_leave,
    api_invitations,
    api_accept,
    api_decline,
    api_order,
    api_order_set,
]
