"""Why a user may or may not open a lesson video, a ByteSize video or a program material.

The rules themselves live with their areas and return an `Access` (a reason and its Russian text):
`courses.lesson_access` (SPEC §4), `bytesize.item_access` (the public feed), and
`program_materials.material_access` (the download rule). The API raises its errors from them and the
back-office «Почему не воспроизводится?» (core/services/play_diagnosis.py) explains them: one rule,
two readers.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Reason(StrEnum):
    # allowed
    OPEN_ADMIN = "open_admin"
    OPEN_ENROLLED = "open_enrolled"
    OPEN_FREE_COURSE = "open_free_course"
    OPEN_FREE_PREVIEW = "open_free_preview"
    OPEN_IN_FEED = "open_in_feed"
    OPEN_PROGRAM_READER = "open_program_reader"
    OPEN_CLASS_STUDENT = "open_class_student"
    # refused
    COURSE_UNPUBLISHED = "course_unpublished"
    NOT_ENROLLED = "not_enrolled"
    ITEM_UNPUBLISHED = "item_unpublished"
    ITEM_WITHOUT_VIDEO = "item_without_video"
    PROGRAM_UNPUBLISHED = "program_unpublished"
    NOT_IN_CLASS = "not_in_class"


ALLOWED = frozenset({Reason.OPEN_ADMIN, Reason.OPEN_ENROLLED, Reason.OPEN_FREE_COURSE, Reason.OPEN_FREE_PREVIEW,
                     Reason.OPEN_IN_FEED, Reason.OPEN_PROGRAM_READER, Reason.OPEN_CLASS_STUDENT})

TEXTS: dict[Reason, str] = {
    Reason.OPEN_ADMIN: "Администратор видит всё",
    Reason.OPEN_ENROLLED: "Пользователь записан на курс",
    Reason.OPEN_FREE_COURSE: "Курс бесплатный: урок открыт всем",
    Reason.OPEN_FREE_PREVIEW: "Урок — бесплатный пробный: открыт всем",
    Reason.OPEN_IN_FEED: "Видео опубликовано в ленте ByteSize",
    Reason.OPEN_PROGRAM_READER: "Пользователь — ментор или руководитель кружка: программы ему открыты",
    Reason.OPEN_CLASS_STUDENT: "Пользователь учится в классе, где проходит этот урок",
    Reason.COURSE_UNPUBLISHED: "Курс не опубликован",
    Reason.NOT_ENROLLED: "Курс платный, а пользователь на него не записан",
    Reason.ITEM_UNPUBLISHED: "Видео ByteSize не опубликовано",
    Reason.ITEM_WITHOUT_VIDEO: "У видео ByteSize нет файла",
    Reason.PROGRAM_UNPUBLISHED: "Программа не опубликована",
    Reason.NOT_IN_CLASS: "Пользователь не учится в классе, где проходит этот урок, и не ментор",
}


@dataclass(frozen=True)
class Access:
    reason: Reason

    @property
    def allowed(self) -> bool:
        return self.reason in ALLOWED

    @property
    def text(self) -> str:
        return TEXTS[self.reason]
