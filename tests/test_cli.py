"""The `s7` CLI on its own SQLite file: migrate, create-admin (idempotent), seed-demo (idempotent)."""

import json

from sqlalchemy import func, select

from core.models import (
    AbsenceAlert,
    CertificateRequest,
    ClubQuizAnswer,
    ClubQuizAssignment,
    Course,
    DailyMission,
    Invitation,
    Kruzhok,
    LessonSession,
    MediaObject,
    MediaScanResult,
    ProgramLesson,
    Purchase,
    SessionCheckin,
    Subscription,
    User,
)
from core.settings import get_settings
from s7.cli import main


def test_migrate_create_admin_twice_and_login(cli_env, capsys):
    assert main(["migrate"]) == 0
    assert main(["create-admin", "--email", "Boss@S7.kz", "--password", "long-password"]) == 0
    assert main(["create-admin", "--email", "boss@s7.kz", "--password", "other-password"]) == 0
    with cli_env.transaction() as session:
        admins = session.scalars(select(User).where(User.email == "boss@s7.kz")).all()
        assert len(admins) == 1 and admins[0].role == "ADMIN"
    assert "boss@s7.kz" in capsys.readouterr().out
    # the second run set the password: the admin logs in with it through the real app, not the old one
    from starlette.testclient import TestClient

    from s7.app import create_app

    with TestClient(create_app(get_settings(), db=cli_env)) as client:
        ok = client.post("/api/auth/login", json={"email": "BOSS@s7.kz", "password": "other-password"})
        assert ok.status_code == 200 and ok.json()["user"]["role"] == "ADMIN"
        assert client.post("/api/auth/login", json={"email": "boss@s7.kz", "password": "long-password"}
                           ).status_code == 401
        assert client.post("/admin/login", data={"username": "boss@s7.kz", "password": "other-password"},
                           headers={"Origin": "http://testserver"}, follow_redirects=False).status_code == 302


def test_create_admin_refuses_a_short_password(cli_env, capsys):
    main(["migrate"])
    assert main(["create-admin", "--email", "a@s7.kz", "--password", "123"]) == 2
    assert "8" in capsys.readouterr().err


def test_seed_demo_is_idempotent(cli_env, capsys):
    main(["migrate"])
    assert main(["seed-demo"]) == 0
    first = capsys.readouterr().out
    assert main(["seed-demo"]) == 0
    summary = json.loads(first[first.index("{"):])
    assert summary["admin"]["email"] == "admin@s7.local"
    with cli_env.transaction() as session:
        assert session.scalar(select(func.count()).select_from(Kruzhok)) == 1
        assert session.scalar(select(func.count()).select_from(Course)) == 2  # the demo course + a paid one
        assert session.scalar(select(func.count()).select_from(Purchase)) == 2  # two pending course payments
        # The home's queue (s7/seed_queue.py): once each, however often the seed runs.
        assert session.scalar(select(func.count()).select_from(Subscription)
                              .where(Subscription.status == "PENDING")) == 2
        # 8 of the queue + 3 held ones of the club history (s7/seed_club_history.py)
        assert session.scalar(select(func.count()).select_from(LessonSession)) == 11
        assert session.scalar(select(func.count()).select_from(CertificateRequest)) == 1
        assert session.scalar(select(func.count()).select_from(MediaScanResult)) == 1
        assert session.scalar(select(func.count()).select_from(DailyMission)) == 1
        # the club history the back-office's read-only views show (s7/seed_club_history.py)
        for model, rows in ((AbsenceAlert, 1), (SessionCheckin, 1), (Invitation, 1), (ClubQuizAssignment, 2),
                            (ClubQuizAnswer, 2)):
            assert session.scalar(select(func.count()).select_from(model)) == rows, model.__name__
        assert session.scalar(select(func.count()).select_from(User).where(User.role == "ADMIN")) == 1
        # the demo lesson's scenario (s7/seed_materials.py): one private PDF, listed by the held sessions
        lesson = session.scalar(select(ProgramLesson).where(ProgramLesson.scenario_key.is_not(None)))
        assert lesson is not None and lesson.scenario_key
        pdfs = select(func.count()).select_from(MediaObject).where(
            MediaObject.is_private.is_(True), MediaObject.content_type == "application/pdf")
        assert session.scalar(pdfs) == 1
        held = session.scalars(select(LessonSession).where(LessonSession.program_lesson_id == lesson.id,
                                                           LessonSession.snapshot_at.is_not(None))).all()
        assert held and all(s.materials_snapshot == [{"kind": "scenario", "key": lesson.scenario_key}] for s in held)
