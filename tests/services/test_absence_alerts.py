"""3 misses in a row: the owner and mentors are told once per streak, with the dates in the club's
timezone; excused breaks a streak; a new streak after attending alerts again; statements stay fixed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from core.models import AbsenceAlert, Notification, NotificationType
from core.services.attendance import MarkIn, save_batch
from tests.factories_clubs import make_class

NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)


def _world(make, n_students: int = 1, n_sessions: int = 6):  # type: ignore[no-untyped-def]
    owner = make.mentor_user()
    club = make.club(owner)  # Asia/Almaty
    mentor = make.mentor(club).user
    klass = make_class(make.session, club)
    students = [make.student(full_name=f"Ерлан Сапаров {i}") for i in range(n_students)]
    for s in students:
        make.enrollment(klass, s)
    # 20:30 UTC is the next day in Almaty: the dates must be the local ones.
    first = datetime(2026, 11, 1, 20, 30, tzinfo=UTC)
    lessons = [make.lesson_session(klass, starts_at=first + timedelta(days=3 * i)) for i in range(n_sessions)]
    return owner, mentor, club, klass, students, lessons


class Saver:
    """Saves as the owner, an hour apart (the mentor's limit is 10 saves an hour)."""

    def __init__(self, session, owner, club) -> None:  # type: ignore[no-untyped-def]
        self.session, self.owner, self.club, self.hours = session, owner, club, 0

    def __call__(self, *marks):  # type: ignore[no-untyped-def]
        self.hours += 1
        return save_batch(self.session, actor=self.owner, kruzhok_id=self.club.id,
                          now=NOW + timedelta(hours=self.hours),
                          marks=[MarkIn(student_id=s.id, session_id=x.id, status=st) for s, x, st in marks])


def _alerts(session, student) -> list[AbsenceAlert]:  # type: ignore[no-untyped-def]
    return list(session.scalars(select(AbsenceAlert).where(AbsenceAlert.student_id == student.id)
                                .order_by(AbsenceAlert.created_at)))


def _streak_notes(session, user) -> list[Notification]:  # type: ignore[no-untyped-def]
    return list(session.scalars(select(Notification).where(Notification.user_id == user.id,
                                                           Notification.type == NotificationType.ABSENCE_STREAK)
                                .order_by(Notification.created_at)))


def test_third_miss_in_a_row_alerts_owner_and_mentors_once_per_streak(session, make):
    owner, mentor, club, klass, (student,), s = _world(make)
    save = Saver(session, owner, club)
    save((student, s[0], "absent"))
    save((student, s[1], "absent"))
    assert _alerts(session, student) == [] and _streak_notes(session, owner) == []
    save((student, s[2], "absent"))
    [alert] = _alerts(session, student)
    assert (alert.first_session_id, alert.last_session_id, alert.missed) == (s[0].id, s[2].id, 3)
    for user in (owner, mentor):
        [note] = _streak_notes(session, user)
        assert note.title == "Пропуски подряд"
        assert note.message == (f"Ерлан Сапаров 0 (класс «{klass.name}») пропускает "
                                "3 занятия подряд: 02.11.2026, 05.11.2026, 08.11.2026.")
        assert note.meta["dates"] == ["02.11.2026", "05.11.2026", "08.11.2026"]
    assert _streak_notes(session, student) == []

    save((student, s[2], "absent"))  # a re-save: nothing new
    save((student, s[3], "absent"))  # a fourth miss: the same streak
    assert len(_alerts(session, student)) == 1 and len(_streak_notes(session, owner)) == 1
    save((student, s[1], "present"), (student, s[3], "present"))  # corrected: the streak is gone
    save((student, s[3], "absent"))  # s2, s3 missed again: only 2 since s1 was attended
    assert len(_alerts(session, student)) == 1
    save((student, s[4], "absent"))  # s2, s3, s4: a new streak, a new alert
    alerts = _alerts(session, student)
    assert [(a.first_session_id, a.missed) for a in alerts] == [(s[0].id, 3), (s[2].id, 3)]
    assert len(_streak_notes(session, owner)) == 2 and len(_streak_notes(session, mentor)) == 2


def test_excused_and_unmarked_sessions_break_a_streak(session, make):
    owner, _, club, _, (student, other), s = _world(make, n_students=2)
    save = Saver(session, owner, club)
    save((student, s[0], "absent"), (student, s[1], "excused"), (student, s[2], "absent"), (student, s[3], "absent"))
    assert _alerts(session, student) == []
    # s4 is held (another student marked) but this student has no mark in it: not a miss.
    save((other, s[4], "present"))
    save((student, s[5], "absent"))
    assert _alerts(session, student) == []


def test_three_misses_saved_at_once_alert_once_with_every_date(session, make):
    owner, _, club, _, (student,), s = _world(make)
    save = Saver(session, owner, club)
    save(*[(student, x, "absent") for x in s[:5]])
    [alert] = _alerts(session, student)
    assert alert.missed == 5 and alert.first_session_id == s[0].id
    [note] = _streak_notes(session, owner)
    assert "пропускает 5 занятий подряд" in note.message and len(note.meta["dates"]) == 5


def _streak_statements(session, make, count_queries, n: int) -> int:  # type: ignore[no-untyped-def]
    owner, _, club, _, students, s = _world(make, n_students=n, n_sessions=3)
    save = Saver(session, owner, club)
    save(*[(st, x, "absent") for st in students for x in s[:2]])
    with count_queries() as statements:
        save(*[(st, s[2], "absent") for st in students])
        total = statements()
    assert session.scalar(select(func.count()).select_from(AbsenceAlert)
                          .where(AbsenceAlert.class_id == s[0].class_id)) == n
    return total


def test_alert_statements_do_not_grow_with_students(session, make, count_queries):
    five = _streak_statements(session, make, count_queries, 5)
    thirty = _streak_statements(session, make, count_queries, 30)
    assert thirty == five
    assert thirty <= 20, thirty
