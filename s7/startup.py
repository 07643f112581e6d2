"""What every `s7` process checks before it starts: usable settings, a real secret, a migrated database.

Each check ends with a clear message for the operator (`ConfigError`), never a traceback.
"""

from __future__ import annotations

import logging

from pydantic import ValidationError
from sqlalchemy import inspect
from sqlalchemy.exc import SQLAlchemyError

from core.settings import DEFAULT_SECRET_KEY, Settings, get_settings


class ConfigError(Exception):
    """A start-up problem the operator must fix; the message says how."""


def load_settings() -> Settings:
    """The settings, or ConfigError listing every bad variable."""
    try:
        return get_settings()
    except ValidationError as exc:
        lines = [f"  {'.'.join(str(p) for p in e['loc']).upper() or '?'}: {e['msg']}" for e in exc.errors()]
        raise ConfigError("Ошибка в настройках (переменные окружения / .env):\n" + "\n".join(lines)) from exc


def configure_logging(settings: Settings) -> None:
    logging.basicConfig(format="%(levelname)s %(name)s: %(message)s")  # no-op when already configured
    logging.getLogger().setLevel(settings.log_level)


def require_real_secret(settings: Settings) -> None:
    """Serving or running jobs with the public default SECRET_KEY would let anyone forge tokens."""
    if settings.secret_key == DEFAULT_SECRET_KEY and not settings.embedded:
        raise ConfigError("SECRET_KEY не задан: ключ по умолчанию общеизвестен, с ним можно подделать токены "
                          "и вход в админ-панель. Задайте SECRET_KEY (например, `python -c \"import secrets; "
                          "print(secrets.token_urlsafe(48))\"`) или запускайте локально через scripts/run.sh "
                          "(EMBEDDED=true).")


def require_migrated(database_url: str) -> None:
    """ConfigError when the database has no schema yet (or cannot be reached)."""
    from core.db import make_engine

    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            migrated = inspect(connection).has_table("alembic_version")
    except SQLAlchemyError as exc:
        raise ConfigError(f"База данных недоступна ({type(exc).__name__}): проверьте DATABASE_URL.") from exc
    finally:
        engine.dispose()
    if not migrated:
        raise ConfigError("База данных не подготовлена: выполните `s7 migrate`.")


def warn_about_email(settings: Settings, log: logging.Logger) -> None:
    if not settings.smtp_url and not settings.email_to_log:
        log.warning("SMTP_URL пуст и EMAIL_TO_LOG выключен: письма остаются в очереди (PENDING), пока не "
                    "задан SMTP_URL. Для локального запуска без почты задайте EMAIL_TO_LOG=true.")
