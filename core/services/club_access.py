"""Who may do what in a club (SPEC §2): owner, assigned mentor, enrolled student, others.

Clubs are public (the directory lists them), so acting on one you may not change is 403. Classes
and enrolments are visible only to the club's owner, mentors and enrolled students: others get 404.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.errors import Forbidden, NotFound
from core.models import ClassEnrollment, ClubClass, ClubMentor, EnrollmentStatus, Kruzhok, User

MSG_OWNER_ONLY = "Это действие доступно только руководителю кружка"
MSG_MENTOR_ONLY = "Это действие доступно только руководителю или ментору кружка"


def get_club(session: Session, kruzhok_id: str, *, lock: bool = False) -> Kruzhok:
    stmt = select(Kruzhok).where(Kruzhok.id == kruzhok_id, Kruzhok.is_active.is_(True))
    if lock:
        stmt = stmt.with_for_update()
    club = session.scalar(stmt)
    if club is None:
        raise NotFound("Кружок не найден")
    return club


def is_club_mentor(session: Session, user: User, club: Kruzhok) -> bool:
    """Owner or assigned mentor."""
    if club.owner_id == user.id:
        return True
    return session.scalar(select(ClubMentor.id).where(ClubMentor.kruzhok_id == club.id,
                                                      ClubMentor.user_id == user.id)) is not None


def is_club_student(session: Session, user: User, club: Kruzhok) -> bool:
    return session.scalar(
        select(ClassEnrollment.id).join(ClubClass, ClubClass.id == ClassEnrollment.class_id)
        .where(ClubClass.kruzhok_id == club.id, ClassEnrollment.student_id == user.id,
               ClassEnrollment.status == EnrollmentStatus.ACTIVE).limit(1)
    ) is not None


def require_owner(user: User, club: Kruzhok) -> None:
    if club.owner_id != user.id:
        raise Forbidden(MSG_OWNER_ONLY)


def require_club_mentor(session: Session, user: User, club: Kruzhok) -> None:
    if not is_club_mentor(session, user, club):
        raise Forbidden(MSG_MENTOR_ONLY)


def owned_club(session: Session, user: User, kruzhok_id: str, *, lock: bool = False) -> Kruzhok:
    """The club, if the caller owns it: 404 when missing, 403 when someone else's."""
    club = get_club(session, kruzhok_id, lock=lock)
    require_owner(user, club)
    return club


def owned_class(session: Session, user: User, class_id: str, *, lock: bool = False) -> ClubClass:
    """A class of a club the caller owns: 404 if the caller may not see it, 403 if only visible."""
    stmt = select(ClubClass).join(Kruzhok, Kruzhok.id == ClubClass.kruzhok_id).where(
        ClubClass.id == class_id, ClubClass.is_active.is_(True), Kruzhok.is_active.is_(True))
    if lock:
        stmt = stmt.with_for_update(of=ClubClass)
    klass = session.scalar(stmt)
    if klass is None:
        raise NotFound("Класс не найден")
    club = klass.kruzhok
    if club.owner_id == user.id:
        return klass
    if is_club_mentor(session, user, club) or is_club_student(session, user, club):
        raise Forbidden(MSG_OWNER_ONLY)
    raise NotFound("Класс не найден")
