"""`s7 media-doctor [--fix] [--json] [--orphans] [--as EMAIL]`: the media doctor from the command line."""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from core.clock import utcnow
from core.db import Database
from core.errors import ErrorCode, ServiceError
from core.models import Role, User
from core.settings import get_settings

if TYPE_CHECKING:
    from core.services.media_doctor import OrphanReport

LABELS = {"ok": "в порядке", "non_canonical": "старый формат (исправимо)", "missing_object": "нет файла",
          "wrong_type": "неверный тип", "empty": "нет видео", "external": "внешняя ссылка"}


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser("media-doctor", help="diagnose (and fix) media URLs in the database")
    p.add_argument("--fix", action="store_true", help="rewrite fixable (non-canonical) URLs, audited")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.add_argument("--orphans", action="store_true", help="also list stored objects referenced by no row")
    p.add_argument("--as", dest="actor_email", default=None,
                   help="staff account recorded in the audit log (default: the first admin)")
    p.set_defaults(func=cmd_media_doctor)


def _actor(session: Any, email: str | None) -> User | None:
    stmt = select(User).where(User.role.in_((Role.ADMIN, Role.SUPPORT)))
    stmt = stmt.where(User.email == email.strip().lower()) if email else stmt.where(User.role == Role.ADMIN)
    return session.scalars(stmt.order_by(User.created_at).limit(1)).first()


def _no_actor_message(session: Any, email: str | None) -> str:
    if not email:
        return "Нет сотрудника для журнала: создайте администратора (s7 create-admin) или укажите --as EMAIL"
    user = session.scalars(select(User).where(User.email == email.strip().lower())).first()
    if user is None:
        return f"Нет сотрудника для журнала: пользователь {email} (--as) не найден"
    return f"Нет сотрудника для журнала: {email} (--as) не сотрудник (нужна роль ADMIN или SUPPORT, у него {user.role})"


def run(db: Database, storage: Any, *, fix: bool, orphans: bool, actor_email: str | None,
        progress: bool = True) -> dict[str, Any]:
    from tqdm import tqdm

    from core.services import media_doctor, media_scan_log

    now = utcnow()
    with db.transaction() as session:
        actor = _actor(session, actor_email)
        if actor is None:
            raise ServiceError(_no_actor_message(session, actor_email), code=ErrorCode.NO_ACTOR)
        fixed = media_doctor.fix_non_canonical(session, actor=actor, now=now) if fix else None
    with db.transaction() as session:
        actor = _actor(session, actor_email)
        total = media_doctor.count_references(session)
        with tqdm(total=total, desc="Проверка ссылок", unit="ссылк", file=sys.stderr, disable=not progress) as bar:
            report = media_doctor.scan(session, storage, actor=actor, progress=bar.update)
        media_scan_log.record_scan(session, report, actor=actor, now=now)  # the back-office home shows it
        result = report.to_dict()
        if fixed is not None:
            result["fixed"] = fixed
        if orphans:
            result["orphans"] = _orphans_out(media_doctor.find_orphans(session, storage, actor=actor, now=now))
    return result


def _orphans_out(report: OrphanReport) -> dict[str, Any]:
    """The CLI's JSON shape of the orphan list."""
    return {"count": report.count, "totalSize": report.total_size,
            "objects": [{"key": o.key, "size": o.size, "contentType": o.content_type, "hasRow": o.has_row}
                        for o in report.objects]}


def _print_text(result: dict[str, Any]) -> None:
    if "fixed" in result:
        print(f"Исправлено ссылок: {result['fixed']}")
    print("Итого:")
    for status, count in result["counts"].items():
        print(f"  {LABELS.get(status, status):<28} {count}")
    for row in result["rows"]:
        print(f"[{row['status']}] {row['column']} id={row['row_id']} «{row['label']}»: "
              f"{row['value']!r} — {row['reason']}")
    if "orphans" in result:
        o = result["orphans"]
        print(f"Файлы без ссылок: {o['count']}, всего {o['totalSize']} байт")
        for item in o["objects"]:
            print(f"  {item['key']}  {item['size']} байт")


def cmd_media_doctor(args: argparse.Namespace) -> int:
    from core.storage import make_storage

    settings = get_settings()
    db = Database.from_url(settings.database_url)
    try:
        result = run(db, make_storage(settings), fix=args.fix, orphans=args.orphans,
                     actor_email=args.actor_email, progress=not args.json or sys.stderr.isatty())
    except ServiceError as error:
        print(f"Ошибка: {error.message}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
    else:
        _print_text(result)
    return 0
