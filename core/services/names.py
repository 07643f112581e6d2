"""Display names (a user's full name): one rule for every door (register, the back-office, CLI, seed).

NFC-normalised, surrounding whitespace trimmed and inner runs of whitespace made one space; no
control or format characters (zero-width spaces, RTL/LTR overrides, BOM …), no private-use or
unassigned code points, no line separators; 2–100 characters, at least 2 of them visible (not
whitespace and not combining marks).
"""

from __future__ import annotations

import re
import unicodedata

from core.errors import field_error

MIN_VISIBLE, MAX_LENGTH = 2, 100
_SPACES = re.compile(r"\s+")


def clean_display_name(value: object, *, field: str = "fullName") -> str:
    """The name as it is stored, or `Invalid` about `field`."""
    if not isinstance(value, str):
        raise field_error(field, "Укажите имя")
    name = unicodedata.normalize("NFC", value)
    for ch in name:
        category = unicodedata.category(ch)
        if ch.isspace():
            continue  # ordinary and exotic spaces become one space below
        if category[0] == "C" or category in ("Zl", "Zp"):
            raise field_error(field, "Имя содержит невидимые или управляющие символы")
    name = _SPACES.sub(" ", name).strip()
    visible = sum(1 for ch in name if not ch.isspace() and unicodedata.category(ch)[0] != "M")
    if visible < MIN_VISIBLE or len(name) > MAX_LENGTH:
        raise field_error(field, f"Укажите имя (от {MIN_VISIBLE} до {MAX_LENGTH} символов)")
    return name
