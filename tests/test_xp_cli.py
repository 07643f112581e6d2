"""`s7 xp backfill-certificate-requests` on its own SQLite: creates the missing requests once."""

from __future__ import annotations

from sqlalchemy import func, select

from core.db import Database
from core.migrate import upgrade
from core.models import CertificateRequest, Notification
from core.settings import get_settings
from s7.cli import main
from tests.factories import make_admin, make_student


def test_backfill_command_is_idempotent(tmp_path, monkeypatch, capsys):
    url = f"sqlite:///{tmp_path / 'xp.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("XP_THRESHOLDS", "100,200")
    get_settings.cache_clear()
    try:
        upgrade(url)
        db = Database.from_url(url)
        with db.transaction() as session:
            admin_id = make_admin(session).id
            crossed_both = make_student(session, experience_points=260).id
            make_student(session, experience_points=90)
        assert main(["xp", "backfill-certificate-requests"]) == 0
        assert "Создано запросов на сертификат: 2" in capsys.readouterr().out
        assert main(["xp", "backfill-certificate-requests"]) == 0
        assert "Создано запросов на сертификат: 0" in capsys.readouterr().out
        with db.transaction() as session:
            rows = session.execute(select(CertificateRequest.user_id, CertificateRequest.threshold_xp)
                                   .order_by(CertificateRequest.threshold_xp)).all()
            assert [tuple(r) for r in rows] == [(crossed_both, 100), (crossed_both, 200)]
            assert session.scalar(select(func.count()).select_from(Notification)
                                  .where(Notification.user_id == admin_id)) == 2
        db.engine.dispose()
    finally:
        get_settings.cache_clear()
