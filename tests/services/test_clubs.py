"""Clubs, classes, join codes, capacity, soft removal, mentors, and who may do what."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from core.clock import utcnow
from core.errors import Conflict, Forbidden, Invalid, LimitExceeded, NotFound, RateLimited
from core.models import ClassEnrollment, LessonSession
from core.services import classes, clubs, invitations, membership
from core.services.pagination import Page


def _club_with_class(make, **sub):
    owner = make.student(full_name="Владелец Кружка")
    make.subscription(owner, **sub)
    club = make.club(owner)
    return owner, club, _klass(make, club)


def _klass(make, club):
    from tests.factories_clubs import make_class

    return make_class(make.session, club)


def test_create_club_validates_title_and_timezone(session, make):
    owner = make.mentor_user()
    for title in ("", "   ", "x" * 201):
        with pytest.raises(Invalid):
            clubs.create_club(session, actor=owner, title=title, now=utcnow(), default_timezone="Asia/Almaty")
    with pytest.raises(Invalid):
        clubs.create_club(session, actor=owner, title="Кружок", timezone="Mars/Olympus", now=utcnow(),
                          default_timezone="Asia/Almaty")
    club = clubs.create_club(session, actor=owner, title="  Роботы  ", now=utcnow(), default_timezone="Asia/Almaty")
    assert club.title == "Роботы" and club.timezone == "Asia/Almaty" and club.owner_id == owner.id


def test_expired_subscription_cannot_create_a_club(session, make):
    owner = make.student()
    make.subscription(owner, expires_at=utcnow() - timedelta(minutes=1))
    with pytest.raises(Forbidden) as err:
        clubs.create_club(session, actor=owner, title="Кружок", now=utcnow(), default_timezone="Asia/Almaty")
    assert err.value.code == "subscription_required"


def test_create_class_up_to_the_owners_limit_with_unique_codes(session, make):
    owner = make.mentor_user()
    club = clubs.create_club(session, actor=owner, title="Кружок", now=utcnow(), default_timezone="Asia/Almaty")
    a = classes.create_class(session, actor=owner, kruzhok_id=club.id, name="Группа А", now=utcnow())
    b = classes.create_class(session, actor=owner, kruzhok_id=club.id, name="Группа Б", now=utcnow())
    assert a.join_code != b.join_code and a.join_code.isdigit() and len(a.join_code) == 6
    with pytest.raises(LimitExceeded) as err:
        classes.create_class(session, actor=owner, kruzhok_id=club.id, name="Группа В", now=utcnow())
    assert err.value.details["limit"] == "maxClassesPerKruzhok" and err.value.details["current"] == 2
    assert "классов" in err.value.message


def test_only_the_owner_creates_classes(session, make):
    owner, club, _ = _club_with_class(make)
    mentor = make.mentor(club).user
    for actor in (mentor, make.mentor_user(), make.admin()):
        with pytest.raises(Forbidden):
            classes.create_class(session, actor=actor, kruzhok_id=club.id, name="X", now=utcnow())
    with pytest.raises(NotFound):
        classes.create_class(session, actor=owner, kruzhok_id="missing", name="X", now=utcnow())


def test_regenerate_code_old_one_stops_working(session, make):
    owner, club, klass = _club_with_class(make)
    old = klass.join_code
    classes.regenerate_code(session, actor=owner, class_id=klass.id, now=utcnow())
    assert klass.join_code != old and len(klass.join_code) == 6
    with pytest.raises(NotFound) as err:
        membership.join_by_code(session, actor=make.student(), code=old, now=utcnow())
    assert err.value.code == "invalid_code" and err.value.commit_anyway


def test_class_visibility_404_for_strangers_403_for_members(session, make):
    owner, club, klass = _club_with_class(make)
    student = make.student()
    make.enrollment(klass, student)
    mentor = make.mentor(club).user
    for actor in (student, mentor):
        with pytest.raises(Forbidden):
            classes.regenerate_code(session, actor=actor, class_id=klass.id, now=utcnow())
    with pytest.raises(NotFound):
        classes.regenerate_code(session, actor=make.student(), class_id=klass.id, now=utcnow())


def test_join_by_code_and_the_rules(session, make):
    owner, club, klass = _club_with_class(make, max_students_per_class=2)
    s1, s2, s3 = make.student(), make.student(), make.student()
    for bad in ("12345", "1234567", "abcdef", ""):
        with pytest.raises(Invalid):
            membership.join_by_code(session, actor=s1, code=bad, now=utcnow())
    enrollment = membership.join_by_code(session, actor=s1, code=klass.join_code, now=utcnow())
    assert enrollment.status == "ACTIVE"
    with pytest.raises(Conflict) as err:
        membership.join_by_code(session, actor=s1, code=klass.join_code, now=utcnow())
    assert err.value.code == "already_member"
    membership.join_by_code(session, actor=s2, code=klass.join_code, now=utcnow())
    with pytest.raises(Conflict) as err:
        membership.join_by_code(session, actor=s3, code=klass.join_code, now=utcnow())
    assert err.value.code == "class_full"
    with pytest.raises(Conflict) as err:
        membership.join_by_code(session, actor=owner, code=klass.join_code, now=utcnow())
    assert err.value.code == "is_mentor"


def test_capacity_is_the_owners_limit_and_expired_owner_takes_nobody(session, make):
    owner = make.student()
    sub = make.subscription(owner, max_students_per_class=1)
    klass = _klass(make, make.club(owner))
    membership.join_by_code(session, actor=make.student(), code=klass.join_code, now=utcnow())
    with pytest.raises(Conflict) as err:
        membership.join_by_code(session, actor=make.student(), code=klass.join_code, now=utcnow())
    assert err.value.code == "class_full"
    sub.max_students_per_class = 5
    sub.expires_at = utcnow() - timedelta(seconds=1)
    with pytest.raises(Conflict) as err:
        membership.join_by_code(session, actor=make.student(), code=klass.join_code, now=utcnow())
    assert err.value.code == "club_inactive"


def test_ten_wrong_codes_an_hour_then_429(session, make):
    user, now = make.student(), utcnow()
    for i in range(10):
        with pytest.raises(NotFound):
            membership.join_by_code(session, actor=user, code=f"99{i:04d}", now=now)
    with pytest.raises(RateLimited):
        membership.join_by_code(session, actor=user, code="990000", now=now)
    with pytest.raises(NotFound):
        membership.join_by_code(session, actor=user, code="990000", now=now + timedelta(hours=1, seconds=1))


def test_soft_removal_keeps_history_and_rejoin_reactivates(session, make):
    owner, club, klass = _club_with_class(make)
    student = make.student()
    membership.join_by_code(session, actor=student, code=klass.join_code, now=utcnow())
    removed = membership.remove_student(session, actor=owner, class_id=klass.id, student_id=student.id,
                                        now=utcnow())
    assert removed.status == "REMOVED" and removed.removed_at is not None
    with pytest.raises(NotFound):
        membership.remove_student(session, actor=owner, class_id=klass.id, student_id=student.id, now=utcnow())
    again = membership.join_by_code(session, actor=student, code=klass.join_code, now=utcnow())
    assert again.id == removed.id and again.status == "ACTIVE" and again.removed_at is None
    rows = session.scalars(select(ClassEnrollment).where(ClassEnrollment.student_id == student.id)).all()
    assert len(rows) == 1


def test_invite_student_by_email_then_accept(session, make):
    owner, club, klass = _club_with_class(make)
    student = make.student()
    invitation = invitations.invite_student(session, actor=owner, class_id=klass.id, email=student.email.upper(),
                                            now=utcnow())
    again = invitations.invite_student(session, actor=owner, class_id=klass.id, email=student.email, now=utcnow())
    assert again.id == invitation.id  # inviting twice changes nothing
    with pytest.raises(NotFound):  # a stranger may not even see the class
        invitations.invite_student(session, actor=student, class_id=klass.id, email=make.student().email,
                                   now=utcnow())
    with pytest.raises(NotFound):  # someone else's invitation
        invitations.accept_invitation(session, actor=make.student(), invitation_id=invitation.id, now=utcnow())
    invitations.accept_invitation(session, actor=student, invitation_id=invitation.id, now=utcnow())
    with pytest.raises(Conflict):
        invitations.accept_invitation(session, actor=student, invitation_id=invitation.id, now=utcnow())
    assert session.scalar(select(ClassEnrollment.status).where(ClassEnrollment.student_id == student.id)) == "ACTIVE"


def test_invite_mentor_then_accept(session, make):
    owner, club, _ = _club_with_class(make)
    user = make.student()
    invitation = invitations.invite_mentor(session, actor=owner, kruzhok_id=club.id, email=user.email, now=utcnow())
    with pytest.raises(Forbidden):
        invitations.invite_mentor(session, actor=user, kruzhok_id=club.id, email=make.student().email, now=utcnow())
    invitations.accept_invitation(session, actor=user, invitation_id=invitation.id, now=utcnow())
    mine = clubs.my_clubs(session, actor=user, now=utcnow())
    assert [c.id for c in mine.mentored] == [club.id]
    assert mine.mentored[0].classes[0].join_code is not None
    own = invitations.invite_mentor(session, actor=owner, kruzhok_id=club.id, email=owner.email, now=utcnow())
    with pytest.raises(Conflict):
        invitations.accept_invitation(session, actor=owner, invitation_id=own.id, now=utcnow())


def test_my_clubs_codes_only_for_staff(session, make):
    owner, club, klass = _club_with_class(make)
    student = make.student()
    make.enrollment(klass, student)
    mine = clubs.my_clubs(session, actor=owner, now=utcnow())
    assert mine.owned[0].classes[0].join_code == klass.join_code
    assert mine.owned[0].classes[0].student_count == 1
    theirs = clubs.my_clubs(session, actor=student, now=utcnow())
    assert theirs.owned == [] and theirs.enrolled[0].id == club.id
    assert theirs.enrolled[0].classes[0].join_code is None


def test_directory_has_no_codes_and_bounded_queries(session, make, count_queries):
    now = utcnow()
    for _ in range(4):
        owner, club, klass = _club_with_class(make)
        for _ in range(3):
            make.enrollment(klass, make.student())
        session.add(LessonSession(class_id=klass.id, starts_at=now + timedelta(days=2), duration_min=60))
    session.flush()
    with count_queries() as n:
        items, total = clubs.list_directory(session, page=Page(100, 0), now=now)
    assert n() <= 2
    mine = next(i for i in items if i.id == club.id)
    assert mine.member_count == 3 and mine.owner_name == "Владелец Кружка"
    assert mine.next_session_at is not None
    assert all(not hasattr(i, "join_code") and not hasattr(i, "code") for i in items)
