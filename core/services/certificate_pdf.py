"""The generated certificate: a one-page landscape A4 PDF (fpdf2) with a QR code to its verification URL.

The document and its embedded Roboto font come from `core/services/pdf_fonts.py`.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date

import qrcode
from fpdf import FPDF
from fpdf.enums import XPos, YPos

from core.services.pdf_fonts import Document

PAGE_W, PAGE_H = 297.0, 210.0
MARGIN = 18.0
ACCENT = (20, 70, 150)
GREY = (90, 90, 90)
# Where the student's name is drawn (mm, from the top-left corner): tests look for ink there.
NAME_BOX = (MARGIN, 80.0, PAGE_W - 2 * MARGIN, 22.0)
QR_SIZE = 34.0


@dataclass(frozen=True)
class CertificateContent:
    student_name: str
    achievement: str  # "за достижение 100 XP на платформе S7 Robotics"
    task: str  # what was completed
    subject: str | None  # "Кружок «Робототехника»" / "Курс «Основы Arduino»"
    issued_on: date
    code: str
    verify_url: str
    sample: bool = False  # the admin's preview before issuing


def format_code(code: str) -> str:
    """ABCD-EFGH-JKLM for reading aloud; verification accepts it with or without dashes."""
    return "-".join(code[i:i + 4] for i in range(0, len(code), 4))


def _qr_png(url: str) -> bytes:
    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=8, border=1)
    qr.add_data(url)
    qr.make(fit=True)
    buffer = io.BytesIO()
    qr.make_image(fill_color="black", back_color="white").save(buffer)
    return buffer.getvalue()


def _fit_font(pdf: FPDF, text: str, *, style: str, start: float, minimum: float, width: float) -> None:
    size = start
    pdf.set_font("Roboto", style, size)
    while size > minimum and pdf.get_string_width(text) > width:
        size -= 1
        pdf.set_font("Roboto", style, size)


def render_certificate(content: CertificateContent) -> bytes:
    """The PDF bytes of one certificate."""
    pdf = Document(landscape=True, title=f"Сертификат — {content.student_name}")
    pdf.set_auto_page_break(False)
    pdf.set_margins(MARGIN, MARGIN, MARGIN)
    pdf.add_page()
    width = PAGE_W - 2 * MARGIN

    pdf.set_draw_color(*ACCENT)
    pdf.set_line_width(1.2)
    pdf.rect(8, 8, PAGE_W - 16, PAGE_H - 16)
    pdf.set_line_width(0.3)
    pdf.rect(11, 11, PAGE_W - 22, PAGE_H - 22)

    pdf.set_text_color(*ACCENT)
    pdf.set_xy(MARGIN, 24)
    pdf.set_font("Roboto", "B", 14)
    pdf.cell(width, 8, "S7 ROBOTICS", align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("Roboto", "B", 40)
    pdf.cell(width, 20, "СЕРТИФИКАТ", align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_text_color(*GREY)
    pdf.set_font("Roboto", "", 14)
    pdf.cell(width, 10, "Настоящим подтверждается, что", align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    x, y, box_w, box_h = NAME_BOX
    pdf.set_text_color(0, 0, 0)
    _fit_font(pdf, content.student_name, style="B", start=32, minimum=16, width=box_w)
    pdf.set_xy(x, y)
    pdf.cell(box_w, box_h, content.student_name, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    pdf.set_text_color(*GREY)
    pdf.set_font("Roboto", "", 15)
    pdf.set_x(MARGIN)
    pdf.multi_cell(width, 8, content.achievement, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    if content.task:
        pdf.set_font("Roboto", "", 12)
        pdf.multi_cell(width, 6.5, content.task[:300], align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT,
                       max_line_height=6.5)
    if content.subject:
        pdf.set_font("Roboto", "B", 14)
        pdf.multi_cell(width, 8, content.subject[:200], align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    bottom = PAGE_H - MARGIN - QR_SIZE
    pdf.set_font("Roboto", "", 12)
    pdf.set_text_color(0, 0, 0)
    pdf.set_xy(MARGIN + 4, bottom + 8)
    pdf.cell(110, 7, f"Дата выдачи: {content.issued_on:%d.%m.%Y}", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_x(MARGIN + 4)
    pdf.cell(110, 7, f"Код проверки: {format_code(content.code)}", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_x(MARGIN + 4)
    pdf.set_font("Roboto", "", 8)
    pdf.set_text_color(*GREY)
    pdf.cell(150, 5, f"Проверить подлинность: {content.verify_url}", link=content.verify_url)

    pdf.image(io.BytesIO(_qr_png(content.verify_url)), x=PAGE_W - MARGIN - QR_SIZE - 4, y=bottom - 2, w=QR_SIZE,
              h=QR_SIZE, alt_text="QR-код проверки сертификата")

    if content.sample:
        pdf.set_text_color(200, 40, 40)
        pdf.set_font("Roboto", "B", 16)
        pdf.set_xy(MARGIN, 14)
        pdf.cell(width, 8, "ОБРАЗЕЦ — ещё не выдан", align="R")
    return bytes(pdf.output())
