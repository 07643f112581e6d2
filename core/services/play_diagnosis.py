"""«Почему не воспроизводится?»: why one user cannot open one lesson video, ByteSize video or program
material, and the ONE fix that would make it play (back-office, ADMIN and SUPPORT; read-only, audited).

It asks the rules the API itself applies — `courses.lesson_access`, `bytesize.item_access`,
`program_materials.material_access` (core/services/play_access.py), a blocked account (refused at sign-in
and on every token) — and the media doctor's check of the URL (`media_check.check_url`). The checks run
in order (account, access, file); the first that fails names the fix.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.errors import ExternalUrl, Invalid, NotFound, field_error
from core.models import (
    AuditAction,
    ByteSizeItem,
    ClassEnrollment,
    ClubClass,
    Kruzhok,
    Lesson,
    LessonSession,
    MaterialKind,
    ProgramLesson,
    Purchase,
    PurchaseStatus,
    SessionStatus,
    User,
)
from core.services import audit, bytesize, clean, courses, media_check, program_materials, programs
from core.services.auth import find_user_by_email
from core.services.media_urls import key_of
from core.services.permissions import require_staff
from core.services.play_access import Access, Reason
from core.storage.base import Storage


class Kind(StrEnum):
    LESSON = "lesson"
    BYTESIZE = "bytesize"
    SCENARIO = "scenario"
    PRESENTATION = "presentation"


KIND_LABELS = {Kind.LESSON: "Урок курса", Kind.BYTESIZE: "Видео ByteSize",
               Kind.SCENARIO: "Сценарий урока программы", Kind.PRESENTATION: "Презентация урока программы"}
PLAYS = "Воспроизводится: доступ открыт, файл на месте и отдаётся."


@dataclass(frozen=True)
class Check:
    label: str
    ok: bool
    text: str
    code: str
    fix: str = ""


@dataclass(frozen=True)
class Diagnosis:
    """Plain values only: the page renders it after the transaction has ended."""

    user_id: str
    user_label: str
    kind: Kind
    item_id: str
    item_title: str
    checks: list[Check]
    url_check: media_check.UrlCheck | None = None

    @property
    def failed(self) -> list[Check]:
        return [c for c in self.checks if not c.ok]

    @property
    def plays(self) -> bool:
        return not self.failed

    @property
    def fix(self) -> str:
        """The single fix: the first failing check's (what the user hits first)."""
        return self.failed[0].fix if self.failed else PLAYS

    @property
    def reason(self) -> str:
        return self.failed[0].code if self.failed else "plays"


# ---- input ---------------------------------------------------------------------------------------

def parse_kind(value: Any) -> Kind:
    try:
        return Kind(str(value or ""))
    except ValueError:
        raise field_error("kind", "Выберите, что не воспроизводится: урок, ByteSize или материал") from None


def find_user(session: Session, value: Any) -> User:
    text = clean.clean_text(value, field="user", label="E-mail или id пользователя", max_length=254) or ""
    user = find_user_by_email(session, text) if "@" in text else clean.get_row(session, User, text)
    if user is None:
        raise NotFound(f"Пользователь «{text}» не найден: проверьте e-mail или id")
    return user


def _item_id(value: Any) -> str:
    return clean.clean_text(value, field="item", label="Id урока, видео или урока программы", max_length=64) or ""


def _lesson(session: Session, item_id: str) -> Lesson:
    lesson = clean.get_row(session, Lesson, item_id)
    if lesson is None:
        raise NotFound(f"Урок курса с id «{item_id}» не найден")
    return lesson


def media_url(session: Session, *, actor: User | None, kind: Any, item_id: Any) -> str | None:
    """The video URL the check will probe (read by the page before its real ranged GET); None for
    materials (private files, served by their own endpoint) and unknown items."""
    require_staff(actor)
    which, ident = parse_kind(kind), _item_id(item_id)
    if which is Kind.LESSON:
        lesson = clean.get_row(session, Lesson, ident)
        return lesson.video_url if lesson else None
    if which is Kind.BYTESIZE:
        item = clean.get_row(session, ByteSizeItem, ident)
        return item.video_url if item else None
    return None


# ---- the check -----------------------------------------------------------------------------------

def diagnose(session: Session, storage: Storage, *, actor: User | None, user_ref: Any, kind: Any, item_id: Any,
             now: datetime, probe: media_check.Probe | None = None) -> Diagnosis:
    """Run the checks for `user_ref` (e-mail or id) and one item; one audit row. 404 unknown user/item."""
    actor = require_staff(actor)
    which, ident = parse_kind(kind), _item_id(item_id)
    user = find_user(session, user_ref)
    account = (Check("Аккаунт", False, f"Аккаунт заблокирован ({user.blocked_reason or 'без причины'})",
                     "account_blocked", "Аккаунт заблокирован — разблокируйте пользователя в разделе «Пользователи»")
               if user.is_blocked else Check("Аккаунт", True, "Аккаунт активен", "account_ok"))
    url_check: media_check.UrlCheck | None = None
    if which is Kind.LESSON:
        lesson = _lesson(session, ident)
        course = lesson.module.course
        title = f"{lesson.title} (курс «{course.title}»)"
        enrolled = courses.is_enrolled(session, user_id=user.id, course_id=course.id)
        access = _lesson_check(session, user, course, courses.lesson_access(course, lesson, actor=user,
                                                                             enrolled=enrolled))
        file, url_check = _video_check(session, storage, lesson.video_url, actor=actor, probe=probe, where="урок")
    elif which is Kind.BYTESIZE:
        item = bytesize.get_item(session, ident)
        title = item.title
        access = _bytesize_check(bytesize.item_access(session, item))
        file, url_check = _video_check(session, storage, item.video_url, actor=actor, probe=probe,
                                       where="видео ByteSize")
    else:
        program_lesson = programs.get_lesson_row(session, ident)
        material = MaterialKind(which.value)
        title = (f"{program_materials.LABEL[material]} — {program_lesson.title} "
                 f"(программа «{program_lesson.program.title}»)")
        access = _material_check(session, user, program_lesson,
                                 program_materials.material_access(session, user, program_lesson, now=now))
        file = _material_file_check(session, storage, program_lesson, material)
    result = Diagnosis(user_id=user.id, user_label=f"{user.full_name} <{user.email}>", kind=which, item_id=ident,
                       item_title=title, checks=[account, access, file], url_check=url_check)
    audit.record(session, actor=actor, action=AuditAction.PLAY_CHECK, entity=which.value, entity_id=ident, now=now,
                 data={"userId": user.id, "plays": result.plays, "reason": result.reason})
    return result


def _access(access: Access, fix: str = "") -> Check:
    return Check("Доступ", access.allowed, access.text, access.reason.value, fix)


def _lesson_check(session: Session, user: User, course: Any, access: Access) -> Check:
    if access.reason is Reason.COURSE_UNPUBLISHED:
        return _access(access, f"Курс «{course.title}» не опубликован — опубликуйте курс")
    if access.reason is not Reason.NOT_ENROLLED:
        return _access(access)
    purchase = session.scalar(select(Purchase).where(Purchase.user_id == user.id, Purchase.course_id == course.id)
                              .order_by(Purchase.created_at.desc(), Purchase.id.desc()).limit(1))
    manual = "или запишите его на курс вручную"
    if purchase is None:
        return Check("Доступ", False, f"{access.text}; оплаты курса нет", "no_purchase",
                     f"Курс платный, оплаты нет — ученику нужно оплатить курс ({manual})")
    if purchase.status == PurchaseStatus.PENDING:
        return Check("Доступ", False, f"{access.text}; оплата с кодом {purchase.sender_code} ждёт проверки",
                     "purchase_pending", f"Оплата на проверке — одобрите оплату (код {purchase.sender_code})")
    if purchase.status == PurchaseStatus.REJECTED:
        why = purchase.rejection_reason or "без причины"
        return Check("Доступ", False, f"{access.text}; оплата с кодом {purchase.sender_code} отклонена: {why}",
                     "purchase_rejected",
                     f"Оплата отклонена ({why}) — ученику нужно оплатить заново ({manual})")
    return Check("Доступ", False, f"{access.text}; оплата одобрена, но записи на курс нет", "approved_not_enrolled",
                 "Оплата одобрена, а записи на курс нет — запишите ученика на курс вручную")


def _bytesize_check(access: Access) -> Check:
    fixes = {Reason.ITEM_UNPUBLISHED: "Видео ByteSize не опубликовано — опубликуйте его",
             Reason.ITEM_WITHOUT_VIDEO: "У видео ByteSize нет файла — загрузите видео"}
    return _access(access, fixes.get(access.reason, ""))


def _material_check(session: Session, user: User, lesson: ProgramLesson, access: Access) -> Check:
    if access.reason is Reason.PROGRAM_UNPUBLISHED:
        return _access(access, f"Программа «{lesson.program.title}» не опубликована — опубликуйте программу")
    if access.reason is not Reason.NOT_IN_CLASS:
        return _access(access)
    classes = session.execute(
        select(ClubClass, Kruzhok).join(Kruzhok, Kruzhok.id == ClubClass.kruzhok_id)
        .join(LessonSession, LessonSession.class_id == ClubClass.id)
        .where(LessonSession.program_lesson_id == lesson.id, LessonSession.status != SessionStatus.CANCELLED)
        .distinct().order_by(ClubClass.name, ClubClass.id).limit(5)).all()
    if not classes:
        return _access(access, "Урок не стоит в расписании ни одного класса — добавьте занятие с этим уроком "
                               "в расписание класса ученика")
    left = session.scalar(select(ClassEnrollment.class_id).where(
        ClassEnrollment.student_id == user.id, ClassEnrollment.class_id.in_([c.id for c, _ in classes])).limit(1))
    klass, club = next(((c, k) for c, k in classes if c.id == left), classes[0])
    where = f"класс «{klass.name}» (кружок «{club.title}»)"
    if left is not None:
        return _access(access, f"Ученик выбыл из класса: {where} — верните его в класс")
    return _access(access, f"Ученик не состоит в классе, где проходит этот урок — добавьте его в {where}")


def _video_check(session: Session, storage: Storage, value: str | None, *, actor: User,
                 probe: media_check.Probe | None, where: str) -> tuple[Check, media_check.UrlCheck | None]:
    def bad(text: str, code: str, fix: str) -> Check:
        return Check("Файл", False, text, code, fix)

    if value is None or not value.strip():
        return bad("Видео не загружено", "no_video", f"В {where} нет видео — загрузите видео"), None
    try:
        key_of(value)
    except ExternalUrl:
        return bad("Внешняя ссылка: наш плеер её не воспроизводит", "external_url",
                   "Видео — внешняя ссылка — загрузите файл видео на платформу"), None
    except Invalid as exc:
        return bad(exc.message, "bad_url", "Ссылка на видео испорчена — загрузите видео заново"), None
    check = media_check.check_url(session, storage, value, actor=actor, probe=probe)
    if check.is_private:
        return bad(check.verdict, "private_file", "Файл закрытый и не отдаётся — загрузите видео заново"), check
    if not check.exists:
        return bad("Файла нет в хранилище", "file_missing",
                   "Файл видео отсутствует в хранилище — загрузите видео заново"), check
    if check.kind != "video":
        return bad(f"Файл не видео: {check.content_type}", "wrong_type",
                   "Вместо видео сохранён файл другого типа — загрузите видео заново"), check
    if probe is not None and not probe.ok:
        return bad(check.verdict, "not_served",
                   "Файл есть, но сервер не отдаёт его — проверьте раздачу файлов (Диагностика медиа)"), check
    return Check("Файл", True, check.verdict, "file_ok"), check


def _material_file_check(session: Session, storage: Storage, lesson: ProgramLesson, kind: MaterialKind) -> Check:
    key = getattr(lesson, program_materials.COLUMN[kind])
    try:
        found = program_materials.stored_material(session, key=key, kind=kind, title=lesson.title)
    except NotFound as exc:
        return Check("Файл", False, exc.message, "material_not_uploaded",
                     "Материал не загружен — загрузите файл в уроке программы")
    if storage.size(found.key, private=True) is None:
        return Check("Файл", False, "Файла нет в закрытом хранилище", "file_missing",
                     "Файл материала отсутствует в хранилище — загрузите файл заново в уроке программы")
    return Check("Файл", True, f"Файл на месте ({found.size} байт, {found.content_type})", "file_ok")
