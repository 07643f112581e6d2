"""Operator safety of the `s7` commands and the Procfile (issue 12 item 14), each run for real."""

from __future__ import annotations

import logging
import os
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import select, text
from starlette.testclient import TestClient

from core.clock import utcnow
from core.db import Database
from core.models import EmailOutbox, User
from core.services import auth
from core.services.outbox import enqueue_email
from core.settings import DEFAULT_SECRET_KEY, get_settings
from s7.cli import main
from s7.startup import ConfigError
from tests.live_process import BIN, ROOT, procfile_web
from tests.net import free_port

PASSWORD = "correct-horse-battery"


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    url = f"sqlite:///{tmp_path / 'ops.db'}"
    values = {"DATABASE_URL": url, "MEDIA_ROOT": str(tmp_path / "media"), "PRIVATE_ROOT": str(tmp_path / "private"),
              "SMTP_URL": "", "SECRET_KEY": "ops-test-secret", "EMAIL_TO_LOG": "false", "EMBEDDED": "false"}
    for key, value in values.items():
        monkeypatch.setenv(key, value)
    monkeypatch.chdir(tmp_path)
    get_settings.cache_clear()
    yield Database.from_url(url)
    get_settings.cache_clear()
    logging.getLogger().setLevel(logging.WARNING)


def _default_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SECRET_KEY", DEFAULT_SECRET_KEY)
    get_settings.cache_clear()


def test_serve_and_jobs_refuse_the_default_secret_key(env, monkeypatch, capsys):
    assert main(["migrate"]) == 0
    _default_key(monkeypatch)
    assert main(["serve", "--port", str(free_port())]) == 2
    assert "SECRET_KEY" in capsys.readouterr().err
    assert main(["jobs", "once"]) == 2
    assert "SECRET_KEY" in capsys.readouterr().err
    from s7.app import asgi

    with pytest.raises(ConfigError):
        asgi()
    monkeypatch.setenv("EMBEDDED", "true")  # scripts/run.sh's local mode
    get_settings.cache_clear()
    assert main(["jobs", "once", "--job", "purge_rate_limits"]) == 0


def test_the_procfile_web_process_refuses_the_default_secret_key(env, tmp_path):
    assert main(["migrate"]) == 0
    environ = {**os.environ, "SECRET_KEY": DEFAULT_SECRET_KEY, "PORT": str(free_port()), "WEB_CONCURRENCY": "1",
               "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    done = subprocess.run(["bash", "-c", f"exec {procfile_web()}"], env=environ, cwd=tmp_path, capture_output=True,
                          timeout=60)
    assert done.returncode == 2
    assert "SECRET_KEY" in done.stderr.decode()


def test_seed_demo_refuses_next_to_real_users_unless_forced(env, capsys):
    assert main(["migrate"]) == 0
    with env.transaction() as session:
        auth.register(session, email="aigerim@school.kz", password=PASSWORD, full_name="Айгерим", now=utcnow())
    assert main(["seed-demo"]) == 2
    assert "--force" in capsys.readouterr().err
    with env.transaction() as session:
        assert session.scalar(select(User).where(User.email == "admin@s7.local")) is None
    assert main(["seed-demo", "--force"]) == 0


def test_create_admin_promotes_only_with_promote_and_a_new_password_ends_tokens(env, capsys):
    assert main(["migrate"]) == 0
    with env.transaction() as session:
        auth.register(session, email="student@school.kz", password=PASSWORD, full_name="Ученик", now=utcnow())
    assert main(["create-admin", "--email", "student@school.kz", "--password", "another-password-1"]) == 2
    assert "--promote" in capsys.readouterr().err
    with env.transaction() as session:
        student = session.scalar(select(User).where(User.email == "student@school.kz"))
        assert student.role == "USER" and auth._verify(student.password_hash, PASSWORD)

    assert main(["create-admin", "--email", "boss@s7.kz", "--password", PASSWORD]) == 0
    from s7.app import create_app

    with TestClient(create_app(get_settings(), db=env)) as client:
        token = client.post("/api/auth/login", json={"email": "boss@s7.kz", "password": PASSWORD}).json()["token"]
        me = {"Authorization": f"Bearer {token}"}
        assert client.get("/api/me", headers=me).status_code == 200
        assert main(["create-admin", "--email", "boss@s7.kz", "--password", PASSWORD]) == 0  # same password
        assert client.get("/api/me", headers=me).status_code == 200
        assert main(["create-admin", "--email", "boss@s7.kz", "--password", "a-new-password-2"]) == 0
        assert client.get("/api/me", headers=me).status_code == 401

    assert main(["create-admin", "--email", "student@school.kz", "--password", PASSWORD, "--promote"]) == 0
    with env.transaction() as session:
        assert session.scalar(select(User.role).where(User.email == "student@school.kz")) == "ADMIN"


@pytest.mark.parametrize(("name", "value"), [("DEFAULT_TIMEZONE", "Asia/Almatyy"), ("MEDIA_BACKEND", "ftp"),
                                             ("TRUSTED_PROXIES", "proxy.local"), ("LOG_LEVEL", "LOUD")])
def test_bad_settings_stop_every_command_with_a_clear_message(env, monkeypatch, capsys, name, value):
    monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    assert main(["migrate"]) == 2
    err = capsys.readouterr().err
    assert name in err and "Traceback" not in err


def test_log_level_is_honoured(env, monkeypatch):
    main(["migrate"])
    monkeypatch.setenv("LOG_LEVEL", "ERROR")
    get_settings.cache_clear()
    assert main(["jobs", "once", "--job", "purge_rate_limits"]) == 0
    assert logging.getLogger().level == logging.ERROR


def test_without_smtp_and_email_to_log_the_worker_warns_and_emails_wait(env, caplog):
    assert main(["migrate"]) == 0
    with env.transaction() as session:
        mail = enqueue_email(session, to="aigerim@example.kz", subject="Тема", body_text="Текст", now=utcnow())
        session.flush()
        mail_id = mail.id
    with caplog.at_level(logging.WARNING):
        assert main(["jobs", "once", "--job", "send_email_outbox"]) == 0
    assert "EMAIL_TO_LOG" in caplog.text
    with env.transaction() as session:
        assert session.scalar(select(EmailOutbox.status).where(EmailOutbox.id == mail_id)) == "PENDING"


def test_jobs_once_exits_non_zero_when_a_job_failed(env, capsys):
    assert main(["migrate"]) == 0
    with env.transaction() as session:
        session.execute(text("DROP TABLE rate_limit_hits"))
    assert main(["jobs", "once", "--job", "purge_rate_limits"]) == 1
    assert "purge_rate_limits" in capsys.readouterr().err


def test_media_doctor_says_why_the_as_account_cannot_act(env, capsys):
    assert main(["migrate"]) == 0
    with env.transaction() as session:
        auth.register(session, email="student@school.kz", password=PASSWORD, full_name="Ученик", now=utcnow())
    assert main(["media-doctor", "--as", "ghost@school.kz"]) == 2
    assert "ghost@school.kz" in capsys.readouterr().err
    assert main(["media-doctor", "--as", "student@school.kz"]) == 2
    assert "не сотрудник" in capsys.readouterr().err


@pytest.mark.parametrize("argv", [["jobs", "once"], ["create-admin", "--email", "a@s7.kz", "--password", PASSWORD],
                                  ["seed-demo"], ["media-doctor"]])
def test_an_unmigrated_database_says_run_migrate(env, capsys, argv):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "s7 migrate" in err and "Traceback" not in err


def test_run_sh_embedded_mode_is_wired():
    script = (ROOT / "scripts" / "run.sh").read_text()
    assert "var/secret_key" in script and "EMBEDDED" in script and "EMAIL_TO_LOG" in script
