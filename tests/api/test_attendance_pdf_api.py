"""The attendance matrix as PDF through real HTTP, read back with PDFium: Cyrillic text extractable,
pages growing with the class, an empty class still a valid document."""

from __future__ import annotations

from datetime import timedelta

import pypdfium2 as pdfium

from core.clock import utcnow
from tests.factories import token_for
from tests.factories_clubs import make_class


def _pdf(client, url, headers):  # type: ignore[no-untyped-def]
    r = client.get(url, headers=headers)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/pdf"
    assert r.headers["content-disposition"].startswith('attachment; filename="attendance-')
    return pdfium.PdfDocument(r.content)


def _pages_text(doc) -> list[str]:  # type: ignore[no-untyped-def]
    texts = []
    for page in doc:
        image = page.render(scale=1).to_pil()  # really rasterised: fails on a broken page
        assert image.width > image.height  # landscape
        texts.append(page.get_textpage().get_text_range())
    return texts


def test_pdf_export_shows_the_matrix_in_cyrillic(app, client, make):
    owner = make.mentor_user()
    club = make.club(owner, title="Юные инженеры")
    klass = make_class(make.session, club, name="Әліппе 7А")
    anna, bota = make.student(full_name="Анна Ёлкина"), make.student(full_name="Ботагөз Нұрланқызы")
    for s in (anna, bota):
        make.enrollment(klass, s)
    now = utcnow()
    first = make.lesson_session(klass, starts_at=now - timedelta(days=7))
    second = make.lesson_session(klass, starts_at=now - timedelta(hours=2))
    headers = token_for(app, owner)
    marks = [(anna, first, "present"), (bota, first, "absent"), (anna, second, "late"), (bota, second, "present")]
    r = client.post(f"/api/kruzhok/{club.id}/attendance/batch", headers=headers, json={"records": [
        {"studentId": s.id, "sessionId": x.id, "status": st} for s, x, st in marks]})
    assert r.status_code == 200, r.text
    doc = _pdf(client, f"/api/kruzhok/{club.id}/attendance?classId={klass.id}&format=pdf", headers)
    assert len(doc) == 1
    [text] = _pages_text(doc)
    for expected in ("Посещаемость", "Кружок «Юные инженеры», класс «Әліппе 7А»", "Анна Ёлкина",
                     "Ботагөз Нұрланқызы", "проведено занятий: 2", "средняя посещаемость класса: 75,0 %",
                     "100,0 %", "50,0 %", "Присутствовали"):
        assert expected in text, expected
    assert "\ufffd" not in text
    doc.close()

    student = token_for(app, anna)
    r = client.get(f"/api/kruzhok/{club.id}/attendance?classId={klass.id}&format=pdf", headers=student)
    assert r.status_code == 403
    r = client.get(f"/api/kruzhok/{club.id}/attendance?classId={klass.id}&format=docx", headers=headers)
    assert r.status_code == 422


def test_a_long_class_continues_on_more_pages_with_the_header_repeated(app, client, make):
    owner = make.mentor_user()
    club = make.club(owner)
    klass = make_class(make.session, club)
    make.lesson_session(klass, starts_at=utcnow() - timedelta(days=1))
    for number in range(120):
        make.enrollment(klass, make.student(full_name=f"Ученица Номер {number:03d}"))
    doc = _pdf(client, f"/api/kruzhok/{club.id}/attendance?classId={klass.id}&format=pdf", token_for(app, owner))
    texts = _pages_text(doc)
    assert len(texts) >= 5
    everything = "\n".join(texts)
    assert all(f"Ученица Номер {n:03d}" in everything for n in range(120))
    assert all("Ученик" in t and "Итого, %" in t for t in texts)  # the header on every page
    assert all("(продолжение)" in t for t in texts[1:])
    assert texts[-1].rstrip().endswith(f"Стр. {len(texts)} из {len(texts)}")
    doc.close()


def test_an_empty_class_is_a_one_page_document(app, client, make):
    owner = make.mentor_user()
    club = make.club(owner)
    klass = make_class(make.session, club)
    doc = _pdf(client, f"/api/kruzhok/{club.id}/attendance?classId={klass.id}&format=pdf", token_for(app, owner))
    [text] = _pages_text(doc)
    assert "В классе нет учеников за этот период." in text and "проведено занятий: 0" in text
    doc.close()
