"""Invitations: a club owner invites an email to a class (student) or to the club (mentor); the
person accepts or declines. Joining by class code stays instant (membership.join_by_code).

    invite_student / invite_mentor  → PENDING (same answer whether or not the email is registered);
                                      a student invitation needs the owner's ACTIVE subscription (403
                                      `subscription_required`) and a free seat in the class (403
                                      `limit_exceeded` with the upgrade offer) — the owner is told at once
    deliver_invitations             → on sign-up, the new account is notified of its invitations
    accept_invitation               → ACCEPTED: seated in the class / made a mentor (capacity rules apply)
    decline_invitation              → DECLINED

Nothing tells the owner whether an address has an account: the invitation is stored either way,
and an email goes to the address either way.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.errors import Conflict, ErrorCode, NotFound
from core.models import (
    AuditAction,
    ClassEnrollment,
    ClubClass,
    ClubMentor,
    EnrollmentStatus,
    Invitation,
    InvitationKind,
    InvitationStatus,
    Kruzhok,
    NotificationType,
    User,
)
from core.services import audit, notifications, outbox, ratelimit
from core.services.auth import find_user_by_email, normalize_email
from core.services.club_access import owned_class, owned_club
from core.services.limits import effective_limits, limit_exceeded, subscription_required
from core.services.membership import lock_class, seat_student
from core.services.permissions import require_user

TITLE = "Приглашение в кружок"


def _describe(session: Session, invitation: Invitation) -> str:
    club = session.get(Kruzhok, invitation.kruzhok_id)
    title = club.title if club else ""
    if invitation.kind == InvitationKind.STUDENT:
        klass = session.get(ClubClass, invitation.class_id)
        return f"Вас приглашают учеником в класс «{klass.name if klass else ''}» кружка «{title}»."
    return f"Вас приглашают ментором кружка «{title}»."


def _notify_invitee(session: Session, invitation: Invitation, user: User, now: datetime) -> None:
    notifications.notify(session, user_id=user.id, type=NotificationType.CLUB_INVITATION, title=TITLE,
                         message=_describe(session, invitation) + " Примите или отклоните приглашение.",
                         link=f"/invitations/{invitation.id}", now=now,
                         meta={"invitationId": invitation.id, "kind": invitation.kind,
                               "accept": f"/api/invitations/{invitation.id}/accept",
                               "decline": f"/api/invitations/{invitation.id}/decline"})


def _invite(session: Session, *, actor: User, kind: InvitationKind, club: Kruzhok, klass: ClubClass | None,
            email: str, now: datetime) -> Invitation:
    address = normalize_email(email)
    ratelimit.hit(session, "club_invite", actor.id, now=now)
    target_id = klass.id if klass is not None else club.id
    pending = select(Invitation).where(Invitation.kind == kind, Invitation.target_id == target_id,
                                       Invitation.email == address, Invitation.status == InvitationStatus.PENDING)
    existing = session.scalar(pending)
    if existing is not None:
        return existing  # inviting again changes nothing (and says nothing new)
    invitation = Invitation(kind=kind, kruzhok_id=club.id, class_id=klass.id if klass else None, target_id=target_id,
                            email=address, invited_by_id=actor.id, status=InvitationStatus.PENDING, created_at=now)
    try:
        with session.begin_nested():
            session.add(invitation)
            session.flush()
    except IntegrityError:  # a concurrent identical invitation won
        return session.scalars(pending).one()
    user = find_user_by_email(session, address)
    if user is not None:
        _notify_invitee(session, invitation, user, now)
    outbox.enqueue_email(session, to=address, subject=f"S7 Robotics: {TITLE.lower()}", now=now,
                         body_text=(f"Здравствуйте!\n\n{_describe(session, invitation)}\n"
                                    "Войдите в S7 Robotics (или зарегистрируйтесь с этим email), чтобы принять "
                                    "или отклонить приглашение.\n\nКоманда S7 Robotics"))
    action = AuditAction.CLASS_INVITE_STUDENT if kind == InvitationKind.STUDENT else AuditAction.CLUB_INVITE_MENTOR
    audit.record(session, actor=actor, action=action, entity="invitation", entity_id=invitation.id, now=now,
                 data={"kruzhokId": club.id, "classId": invitation.class_id})
    return invitation


def _require_free_seat(session: Session, *, owner: User, klass: ClubClass, now: datetime) -> None:
    """The owner's side of the seat rule: 403 `subscription_required` when the owner's subscription
    lapsed, 403 `limit_exceeded` (maxStudentsPerClass, with the upgrade offer) when the class is full.
    Pending invitations hold no seat: accepting checks again (409 `class_full` / `club_inactive`)."""
    limits = effective_limits(session, owner.id, now=now)
    if not limits.active:
        raise subscription_required(session)
    seated = session.scalar(select(func.count()).select_from(ClassEnrollment).where(
        ClassEnrollment.class_id == klass.id, ClassEnrollment.status == EnrollmentStatus.ACTIVE)) or 0
    if seated >= limits.max_students_per_class:
        raise limit_exceeded(session, limit="maxStudentsPerClass", current=seated,
                             maximum=limits.max_students_per_class)


def invite_student(session: Session, *, actor: User | None, class_id: str, email: str, now: datetime) -> Invitation:
    """The club owner invites an email into a class (403/404 as for other owner actions; 403
    `subscription_required` / `limit_exceeded` when the owner could not seat one more student)."""
    actor = require_user(actor)
    klass = owned_class(session, actor, class_id)
    _require_free_seat(session, owner=actor, klass=klass, now=now)
    return _invite(session, actor=actor, kind=InvitationKind.STUDENT, club=klass.kruzhok, klass=klass,
                   email=email, now=now)


def invite_mentor(session: Session, *, actor: User | None, kruzhok_id: str, email: str, now: datetime) -> Invitation:
    """The club owner invites an email to mentor the club."""
    actor = require_user(actor)
    club = owned_club(session, actor, kruzhok_id)
    return _invite(session, actor=actor, kind=InvitationKind.MENTOR, club=club, klass=None, email=email, now=now)


def deliver_invitations(session: Session, *, user: User, now: datetime) -> int:
    """Notify a newly registered account of the invitations waiting for its email."""
    waiting = session.scalars(select(Invitation).where(Invitation.email == user.email.lower(),
                                                       Invitation.status == InvitationStatus.PENDING)).all()
    for invitation in waiting:
        _notify_invitee(session, invitation, user, now)
    return len(waiting)


def list_my_invitations(session: Session, *, actor: User | None) -> list[Invitation]:
    actor = require_user(actor)
    return list(session.scalars(select(Invitation).where(Invitation.email == actor.email.lower(),
                                                         Invitation.status == InvitationStatus.PENDING)
                                .order_by(Invitation.created_at.desc(), Invitation.id)))


def _own_pending(session: Session, actor: User, invitation_id: str) -> Invitation:
    invitation = session.scalars(select(Invitation).where(Invitation.id == invitation_id).with_for_update()).first()
    if invitation is None or invitation.email != actor.email.lower():
        raise NotFound("Приглашение не найдено")
    if invitation.status != InvitationStatus.PENDING:
        raise Conflict("На это приглашение уже дан ответ", code=ErrorCode.INVITATION_ANSWERED)
    return invitation


def _tell_owner(session: Session, invitation: Invitation, actor: User, accepted: bool, now: datetime) -> None:
    verb = "принял(а)" if accepted else "отклонил(а)"
    notifications.notify(session, user_id=invitation.invited_by_id, type=NotificationType.INVITATION_ANSWERED,
                         title="Ответ на приглашение", message=f"{actor.full_name} {verb} приглашение.",
                         link=f"/clubs/{invitation.kruzhok_id}", now=now,
                         meta={"invitationId": invitation.id, "accepted": accepted})


def accept_invitation(session: Session, *, actor: User | None, invitation_id: str, now: datetime) -> Invitation:
    """Accept: a seat in the class (409 class_full / already_member / is_mentor / club_inactive) or
    the mentor role (409 already_mentor). 404 if it is not the caller's; 409 if already answered."""
    actor = require_user(actor)
    invitation = _own_pending(session, actor, invitation_id)
    if invitation.kind == InvitationKind.STUDENT and invitation.class_id is not None:
        seat_student(session, klass=lock_class(session, invitation.class_id), student=actor, now=now)
    else:
        club = session.get(Kruzhok, invitation.kruzhok_id)
        if club is None or club.owner_id == actor.id or session.scalar(select(ClubMentor.id).where(
                ClubMentor.kruzhok_id == invitation.kruzhok_id, ClubMentor.user_id == actor.id)) is not None:
            raise Conflict("Вы уже ведёте этот кружок", code=ErrorCode.ALREADY_MENTOR)
        session.add(ClubMentor(kruzhok_id=invitation.kruzhok_id, user_id=actor.id, created_at=now))
    invitation.status, invitation.user_id, invitation.decided_at = InvitationStatus.ACCEPTED, actor.id, now
    session.flush()
    _tell_owner(session, invitation, actor, True, now)
    audit.record(session, actor=actor, action=AuditAction.INVITATION_ACCEPT, entity="invitation",
                 entity_id=invitation.id, now=now, data={"kind": invitation.kind, "kruzhokId": invitation.kruzhok_id})
    return invitation


def decline_invitation(session: Session, *, actor: User | None, invitation_id: str, now: datetime) -> Invitation:
    actor = require_user(actor)
    invitation = _own_pending(session, actor, invitation_id)
    invitation.status, invitation.user_id, invitation.decided_at = InvitationStatus.DECLINED, actor.id, now
    _tell_owner(session, invitation, actor, False, now)
    audit.record(session, actor=actor, action=AuditAction.INVITATION_DECLINE, entity="invitation",
                 entity_id=invitation.id, now=now, data={"kind": invitation.kind})
    return invitation
