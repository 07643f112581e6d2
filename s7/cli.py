"""The `s7` command line: serve, migrate, create-admin, seed-demo, jobs, media-doctor."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Callable

from core.clock import utcnow
from core.db import Database
from core.errors import ServiceError
from core.settings import get_settings
from s7 import media_cli, xp_cli
from s7.startup import (
    ConfigError,
    configure_logging,
    load_settings,
    require_migrated,
    require_real_secret,
    warn_about_email,
)

# Extra sub-commands: functions that add their sub-parser to the CLI's subparsers.
EXTRA_COMMANDS: list[Callable[[argparse._SubParsersAction[argparse.ArgumentParser]], None]] = [
    media_cli.register,
    xp_cli.register,
]


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    settings = get_settings()
    require_real_secret(settings)
    uvicorn.run("s7.app:asgi", factory=True, host=args.host, port=args.port, workers=args.workers,
                proxy_headers=False, log_level=settings.log_level.lower())  # TRUSTED_PROXIES decides
    return 0


def cmd_migrate(_args: argparse.Namespace) -> int:
    from core.migrate import upgrade

    upgrade(get_settings().database_url)
    print("Миграции применены.")
    return 0


def cmd_create_admin(args: argparse.Namespace) -> int:
    from core.services import auth

    db = Database.from_url(get_settings().database_url)
    try:
        with db.transaction() as session:
            user, created = auth.ensure_admin(session, email=args.email, password=args.password,
                                              full_name=args.name, now=utcnow(), promote=args.promote)
            email = user.email
    except ServiceError as error:
        print(f"Ошибка: {error.message}", file=sys.stderr)
        return 2
    print(("Создан администратор " if created else "Администратор обновлён: ") + email)
    return 0


def cmd_seed_demo(args: argparse.Namespace) -> int:
    from s7.seed import non_demo_users, seed_demo

    settings = get_settings()
    db = Database.from_url(settings.database_url)
    with db.transaction() as session:
        others = non_demo_users(session)
    if others and not args.force:
        print(f"Ошибка: в базе уже есть {others} пользователей, не относящихся к демо-данным. Демо-данные "
              "создают учётные записи с известными паролями (admin@s7.local / admin12345); если это "
              "действительно нужно, повторите с --force.", file=sys.stderr)
        return 2
    summary = seed_demo(db, settings=settings)
    print(json.dumps(summary, ensure_ascii=False, indent=2))
    return 0


def cmd_jobs(args: argparse.Namespace) -> int:
    from core.storage import make_storage
    from jobs.schedule import JOBS
    from jobs.worker import run_forever, run_once

    names = [job.name for job in JOBS]
    if args.job and args.job not in names:
        print(f"Ошибка: нет задачи «{args.job}». Задачи: {', '.join(names)}", file=sys.stderr)
        return 2
    settings = get_settings()
    require_real_secret(settings)
    warn_about_email(settings, logging.getLogger("s7.worker"))
    db = Database.from_url(settings.database_url)
    storage = make_storage(settings)
    if args.mode == "once":
        results = run_once(db, settings=settings, storage=storage, only=args.job)
        print(json.dumps(results, ensure_ascii=False))
        failed = [name for name, count in results.items() if count < 0]
        if failed:
            print(f"Ошибка: задачи завершились с ошибкой: {', '.join(failed)} (подробности в логе)", file=sys.stderr)
            return 1
        return 0
    run_forever(db, settings=settings, storage=storage, tick=settings.worker_interval_seconds)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="s7", description="S7 Robotics: back-office and API")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("serve", help="serve admin + API")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--workers", type=int, default=1)
    p.set_defaults(func=cmd_serve)
    sub.add_parser("migrate", help="apply database migrations").set_defaults(func=cmd_migrate, needs_schema=False)
    p = sub.add_parser("create-admin", help="create (or update) an admin account")
    p.add_argument("--email", required=True)
    p.add_argument("--password", required=True)
    p.add_argument("--name", default="Администратор")
    p.add_argument("--promote", action="store_true", help="make an existing non-admin account an ADMIN")
    p.set_defaults(func=cmd_create_admin)
    p = sub.add_parser("seed-demo", help="create demo data (idempotent)")
    p.add_argument("--force", action="store_true", help="even when the database holds non-demo users")
    p.set_defaults(func=cmd_seed_demo)
    p = sub.add_parser("jobs", help="run periodic jobs")
    p.add_argument("mode", choices=["once", "run"])
    p.add_argument("--job", default=None, help="run only this job (once)")
    p.set_defaults(func=cmd_jobs)
    for register in EXTRA_COMMANDS:
        register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = load_settings()
        configure_logging(settings)
        if getattr(args, "needs_schema", True):
            require_migrated(settings.database_url)
        return int(args.func(args) or 0)
    except ConfigError as error:
        print(f"Ошибка: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
