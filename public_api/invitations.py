"""Invitations to a class or to mentor a club: the invitee lists, accepts or declines them."""

from __future__ import annotations

from datetime import datetime

from core.services import invitations
from public_api.http import Ctx, api
from public_api.validation import OutModel


class InvitationOut(OutModel):
    id: str
    kind: str
    status: str
    kruzhok_id: str
    class_id: str | None
    created_at: datetime
    decided_at: datetime | None


class InvitationListOut(OutModel):
    items: list[InvitationOut]


@api("/api/invitations", "GET", response=InvitationListOut, tag="clubs")
def my_invitations(ctx: Ctx) -> dict:
    """The caller's pending invitations, newest first."""
    return {"items": invitations.list_my_invitations(ctx.session, actor=ctx.actor)}


@api("/api/invitations/{invitation_id}/accept", "POST", response=InvitationOut, tag="clubs")
def accept_invitation(ctx: Ctx, invitation_id: str) -> object:
    """Accept: a seat in the class (409 class_full …) or the mentor role; 409 if already answered."""
    return invitations.accept_invitation(ctx.session, actor=ctx.actor, invitation_id=invitation_id, now=ctx.now)


@api("/api/invitations/{invitation_id}/decline", "POST", response=InvitationOut, tag="clubs")
def decline_invitation(ctx: Ctx, invitation_id: str) -> object:
    """Decline the invitation."""
    return invitations.decline_invitation(ctx.session, actor=ctx.actor, invitation_id=invitation_id, now=ctx.now)


routes = [my_invitations, accept_invitation, decline_invitation]
