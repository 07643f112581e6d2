"""Display names (a user's full name): one rule for every door (register, the back-office, CLI, seed).

NFC-normalised, surrounding whitespace trimmed and inner runs of whitespace made one space; no
control or format characters (zero-width spaces, RTL/LTR overrides, BOM …), no private-use or
unassigned code points, no line separators; 2–100 characters, at least 2 of them visible (not
whitespace and not combining marks).
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

from core.errors import field_error
from core.services.clean import SPACES, char_class

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


@cache
def display_name_pattern() -> str:
    """What `clean_display_name` accepts, as a regex over the raw value (see `core.services.clean`
    on the pattern dialect): only spaces and characters outside the categories C* (controls, format,
    surrogates, private use, unassigned), at least two of them visible (not a space, not a mark M*).

    Built from this Python's Unicode tables (so it agrees with the check above) when the API schema
    is first built. Not expressible: NFC normalisation (which can merge or split characters, so a
    name at the edge of the rules may be judged differently) and the length after collapsing
    spaces (declared as `maxLength` on the raw value, which is stricter)."""
    visible, invisible = [], set(SPACES)
    for point in range(0x110000):
        category = unicodedata.category(chr(point))
        if point in SPACES or category[0] == "C":
            continue
        if category[0] == "M":
            invisible.add(point)
        else:
            visible.append(point)
    visible_class, invisible_class = char_class(visible), char_class(invisible)
    return f"^{invisible_class}*{visible_class}{invisible_class}*{visible_class}{char_class([*visible, *invisible])}*$"
