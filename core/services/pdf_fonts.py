"""The PDF documents we generate (fpdf2) and their embedded font.

The font is Roboto from the `font-roboto` package (Apache 2.0), embedded in every PDF: it has the
Cyrillic and Kazakh letters, and the result does not depend on the fonts of the machine. It has no
check marks or other dingbats: tables use letters for statuses.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import font_roboto
from fpdf import FPDF

FAMILY = "Roboto"


@lru_cache(maxsize=1)
def roboto_fonts() -> dict[str, str]:
    """Font file of each style fpdf2 is given ("" regular, "B" bold)."""
    return {"": str(Path(font_roboto.Roboto)), "B": str(Path(font_roboto.RobotoBold))}


class Document(FPDF):
    """An A4 document with Roboto registered; with `page_numbers` each page's foot says «Стр. N из M»."""

    def __init__(self, *, landscape: bool, title: str, page_numbers: bool = False) -> None:
        super().__init__(orientation="L" if landscape else "P", unit="mm", format="A4")
        for style, path in roboto_fonts().items():
            self.add_font(FAMILY, style, path)
        self.set_title(title)
        self.set_author("S7 Robotics")
        self.page_numbers = page_numbers

    def footer(self) -> None:
        if not self.page_numbers:
            return
        self.set_y(-9)
        self.set_font(FAMILY, "", 7)
        self.set_text_color(110, 110, 110)
        self.cell(0, 4, f"Стр. {self.page_no()} из {{nb}}", align="R")
