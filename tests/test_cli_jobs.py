"""`s7 jobs once|run` and the Procfile's release/web/worker commands, run for real on their own SQLite."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from core.clock import utcnow
from core.db import Database
from core.migrate import upgrade
from core.models import EmailOutbox
from core.services.outbox import enqueue_email
from core.settings import get_settings
from s7.cli import main
from tests.live_process import procfile
from tests.net import free_port

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


@pytest.fixture
def env(tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    url = f"sqlite:///{tmp_path / 'jobs.db'}"
    values = {"DATABASE_URL": url, "MEDIA_ROOT": str(tmp_path / "media"),
              "PRIVATE_ROOT": str(tmp_path / "private"), "SMTP_URL": "", "WORKER_INTERVAL_SECONDS": "1",
              "SECRET_KEY": "jobs-test-secret", "EMAIL_TO_LOG": "true"}
    for key, value in values.items():
        monkeypatch.setenv(key, value)
    monkeypatch.chdir(tmp_path)
    get_settings.cache_clear()
    upgrade(url)
    db = Database.from_url(url)
    yield db, {**os.environ, **values, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    db.engine.dispose()
    get_settings.cache_clear()


def _enqueue(db: Database) -> str:
    with db.transaction() as session:
        mail = enqueue_email(session, to="aigerim@example.kz", subject="Проверка", body_text="Текст",
                             now=utcnow())
        session.flush()
        return mail.id


def _status(db: Database, mail_id: str) -> str:
    with db.transaction() as session:
        return session.scalar(select(EmailOutbox.status).where(EmailOutbox.id == mail_id))


def test_jobs_once_runs_every_job_and_sends_the_outbox(env, capsys):
    db, _ = env
    mail_id = _enqueue(db)
    assert main(["jobs", "once"]) == 0
    results = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert results["send_email_outbox"] == 1
    assert all(count >= 0 for count in results.values()), results
    assert _status(db, mail_id) == "SENT_TO_LOG"


def test_jobs_once_with_one_job_and_an_unknown_job(env, capsys):
    assert main(["jobs", "once", "--job", "purge_rate_limits"]) == 0
    assert json.loads(capsys.readouterr().out.strip().splitlines()[-1]) == {"purge_rate_limits": 0}
    assert main(["jobs", "once", "--job", "no_such_job"]) == 2
    assert "no_such_job" in capsys.readouterr().err


def _wait(predicate, seconds: float = 20.0) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


def _start(command: str, env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen(["bash", "-c", f"exec {command}"], env=env, cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def test_procfile_release_worker_and_web_commands_work(env):
    db, environ = env
    procs = procfile()
    assert set(procs) == {"release", "web", "worker"}
    # Like the platform, the release command runs in a shell (it chains migrate && the XP backfill).
    release = subprocess.run(["bash", "-c", procs["release"]], env=environ, cwd=ROOT, capture_output=True,
                             timeout=60)
    assert release.returncode == 0, release.stderr
    assert "Создано запросов на сертификат: 0" in release.stdout.decode()

    mail_id = _enqueue(db)
    worker = _start(procs["worker"], environ)
    try:
        assert _wait(lambda: _status(db, mail_id) == "SENT_TO_LOG"), "worker did not send the outbox"
        assert worker.poll() is None  # the loop keeps running
    finally:
        worker.terminate()
        worker.wait(10)
        worker.stderr.close()  # type: ignore[union-attr]

    port = free_port()
    web = _start(procs["web"].replace("--host 0.0.0.0", "--host 127.0.0.1"),
                 {**environ, "PORT": str(port), "WEB_CONCURRENCY": "2"})

    def ready() -> bool:
        try:
            return httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=1).status_code == 200
        except httpx.HTTPError:
            return False

    try:
        assert _wait(ready, 30), web.stderr.read().decode() if web.poll() is not None else "web not ready"
        assert httpx.get(f"http://127.0.0.1:{port}/admin/login", timeout=5).status_code == 200
        assert httpx.get(f"http://127.0.0.1:{port}/api/me", timeout=5).status_code == 401
    finally:
        web.terminate()
        web.wait(15)
        web.stderr.close()  # type: ignore[union-attr]


def test_jobs_once_marks_overdue_club_quizzes(env, capsys):
    from datetime import timedelta

    from core.models import ClubQuizAssignment
    from tests.factories import make_user
    from tests.factories_clubs import make_class, make_club
    from tests.factories_schedule import make_lesson_quiz, make_lesson_session

    db, _ = env
    with db.transaction() as session:
        lesson = make_lesson_quiz(session)
        row = make_lesson_session(session, make_class(session, make_club(session)), program_lesson_id=lesson.id)
        late = ClubQuizAssignment(student_id=make_user(session).id, quiz_id=lesson.quiz_id, session_id=row.id,
                                  assigned_at=utcnow() - timedelta(days=2), due_at=utcnow() - timedelta(days=1))
        session.add(late)
        session.flush()
        late_id = late.id
    assert main(["jobs", "once", "--job", "mark_overdue_quizzes"]) == 0
    assert json.loads(capsys.readouterr().out.strip().splitlines()[-1]) == {"mark_overdue_quizzes": 1}
    with db.transaction() as session:
        assert session.get(ClubQuizAssignment, late_id).is_overdue is True
