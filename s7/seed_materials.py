"""Demo lesson materials: the demo program's first lesson gets a scenario PDF, so the lesson page, the
materials download, the archive of held sessions and the media doctor have a real private file.

The PDF is generated here (fpdf2 with the embedded Roboto, as certificates are) and stored through the
same `program_materials.attach_material` service as a back-office upload. Runs before the seed's held
sessions, whose snapshots then list it. Idempotent: a lesson whose scenario is in storage is left alone.
"""

from __future__ import annotations

import io
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.models import Program, ProgramLesson
from core.services import program_materials
from core.services.pdf_fonts import FAMILY, Document
from core.settings import Settings
from core.storage import make_storage

PROGRAM_TITLE = "Робототехника 1 ступень"
PLAN = (
    "1. Разминка (5 мин): где вокруг нас датчики расстояния?",
    "2. Объяснение (10 мин): ультразвуковой датчик — эхо, как у летучей мыши.",
    "3. Практика (25 мин): робот останавливается за 10 см до стены.",
    "4. Соревнование (10 мин): чей робот остановится ближе всех, не коснувшись стены.",
    "5. Итог (5 мин): тест по уроку приходит ученикам после занятия.",
)


def scenario_pdf(lesson_title: str) -> bytes:
    doc = Document(landscape=False, title=f"Сценарий урока «{lesson_title}»")
    doc.add_page()
    doc.set_font(FAMILY, "B", 16)
    doc.multi_cell(0, 9, f"Сценарий урока «{lesson_title}»", new_x="LMARGIN", new_y="NEXT")
    doc.ln(4)
    doc.set_font(FAMILY, "", 12)
    for line in PLAN:
        doc.multi_cell(0, 7, line, new_x="LMARGIN", new_y="NEXT")
    return bytes(doc.output())


def seed_materials(session: Session, *, users: dict[str, Any], now: datetime, settings: Settings) -> dict[str, Any]:
    lesson = session.scalar(select(ProgramLesson).join(Program, Program.id == ProgramLesson.program_id)
                            .where(Program.title == PROGRAM_TITLE).order_by(ProgramLesson.order_index).limit(1))
    admin = users.get("admin")
    if lesson is None or admin is None:
        return {}
    storage = make_storage(settings)
    if lesson.scenario_key and storage.exists(lesson.scenario_key, private=True):
        return {"scenario": lesson.scenario_key}
    data = scenario_pdf(lesson.title)
    program_materials.attach_material(session, storage, actor=admin, lesson_id=lesson.id, kind="scenario",
                                      stream=io.BytesIO(data), filename="scenario.pdf",
                                      declared_type="application/pdf", max_bytes=len(data) + 1, now=now)
    return {"scenario": lesson.scenario_key}
