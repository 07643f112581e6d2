"""The generated certificate, rendered to pixels with PDFium: one landscape page, the Cyrillic name really
drawn with the embedded font, the text extractable, and a QR code that encodes the verification URL."""

from __future__ import annotations

from datetime import date

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
import pytest
import qrcode

from core.services.certificate_pdf import NAME_BOX, PAGE_H, PAGE_W, CertificateContent, render_certificate

NAME = "Әлихан Нұрсұлтанұлы Жақсыбеков"
URL = "https://s7.example.kz/api/certificates/verify/ABCDEFGHJKLMNPQR"
CONTENT = CertificateContent(student_name=NAME, achievement="за достижение 100 XP на платформе S7 Robotics",
                             task="Пройдены уроки и тесты курса «Основы робототехники»",
                             subject="Кружок «Юные инженеры»", issued_on=date(2026, 12, 4),
                             code="ABCDEFGHJKLMNPQR", verify_url=URL)
SCALE = 2.0  # pixels per PDF point


@pytest.fixture(scope="module")
def rendered():  # type: ignore[no-untyped-def]
    data = render_certificate(CONTENT)
    doc = pdfium.PdfDocument(data)
    yield data, doc
    doc.close()


def _dark_fraction(image, box_mm):  # type: ignore[no-untyped-def]
    """Share of dark pixels inside a box given in mm from the top-left corner."""
    px_per_mm = SCALE * 72 / 25.4
    x, y, w, h = box_mm
    region = image.convert("L").crop((int(x * px_per_mm), int(y * px_per_mm), int((x + w) * px_per_mm),
                                      int((y + h) * px_per_mm)))
    histogram = region.histogram()  # 256 grey levels
    return sum(histogram[:100]) / sum(histogram)


def test_one_landscape_page_with_the_text_extractable(rendered):
    data, doc = rendered
    assert len(doc) == 1
    width, height = doc[0].get_size()
    assert width > height and abs(width / 72 * 25.4 - PAGE_W) < 1 and abs(height / 72 * 25.4 - PAGE_H) < 1
    text = doc[0].get_textpage().get_text_range()
    for expected in (NAME, "СЕРТИФИКАТ", "за достижение 100 XP", "Кружок «Юные инженеры»", "04.12.2026",
                     "ABCD-EFGH-JKLM-NPQR", "Основы робототехники"):
        assert expected in text, expected


def test_the_name_is_really_drawn_with_an_embedded_font(rendered):
    data, doc = rendered
    assert b"/FontFile2" in data  # the TrueType font travels inside the PDF (no system fonts needed)
    image = doc[0].render(scale=SCALE).to_pil()
    assert _dark_fraction(image, NAME_BOX) > 0.03  # glyphs, not an empty box or tofu outlines only
    assert _dark_fraction(image, (150, 150, 40, 10)) == 0  # an empty stretch of the page stays white
    # Every glyph came from the font: PDFium found a unicode mapping for each character of the name.
    textpage = doc[0].get_textpage()
    assert "\ufffd" not in textpage.get_text_range()


def test_qr_code_encodes_the_verification_url(rendered):
    _, doc = rendered
    [image_obj] = list(doc[0].get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE]))
    qr_image = image_obj.get_bitmap().to_pil().convert("L")
    expected = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=1)
    expected.add_data(URL)
    expected.make(fit=True)
    matrix = expected.get_matrix()
    n = len(matrix)
    cell = qr_image.width / n
    seen = [[qr_image.getpixel((int((c + 0.5) * cell), int((r + 0.5) * cell))) < 128 for c in range(n)]
            for r in range(n)]
    assert seen == matrix


def test_sample_preview_is_marked(rendered):
    sample = render_certificate(CertificateContent(**{**CONTENT.__dict__, "sample": True}))
    doc = pdfium.PdfDocument(sample)
    assert "ОБРАЗЕЦ" in doc[0].get_textpage().get_text_range()
    assert "ОБРАЗЕЦ" not in rendered[1][0].get_textpage().get_text_range()
    doc.close()


def test_a_very_long_name_still_fits_on_one_page():
    long_name = "Александра-Виктория Константиновна Нурмухамбетова-Джаксыбекова"
    doc = pdfium.PdfDocument(render_certificate(CertificateContent(**{**CONTENT.__dict__,
                                                                       "student_name": long_name})))
    assert len(doc) == 1 and long_name in doc[0].get_textpage().get_text_range()
    doc.close()


def test_the_embedded_font_has_a_glyph_for_every_letter_of_the_name():
    """Not tofu: Roboto maps each Cyrillic and Kazakh letter to a real glyph (not .notdef)."""
    from fontTools.ttLib import TTFont

    from core.services.pdf_fonts import roboto_fonts

    for path in roboto_fonts().values():
        with TTFont(path) as font:
            cmap = font.getBestCmap()
        missing = [ch for ch in NAME + "ЁёӘәҒғҚқҢңӨөҰұҮүҺһІі«»—" if not ch.isspace() and ord(ch) not in cmap]
        assert missing == [], (path, missing)
