"""Input cleaning shared by every door: the API's request models and the back-office forms reach
the same rules through the services, so a value one door refuses the other refuses too.

Each function takes the raw value and the field name used in the error details, returns the clean
value, and raises `Invalid` (422) with a Russian message. Bounds follow the columns: text fits its
VARCHAR, integers fit PostgreSQL INTEGER (the smallest integer column), and no text carries a NUL
(PostgreSQL refuses it), a lone surrogate (not encodable as UTF-8) or other control characters.
"""

from __future__ import annotations

import re
from typing import Any, TypeVar

from sqlalchemy.orm import Session

from core.errors import field_error

INT_MIN, INT_MAX = -(2**31), 2**31 - 1
NUL_MESSAGE = "Строка не может содержать нулевой символ (\\u0000)"
SURROGATE_MESSAGE = "Строка содержит недопустимые символы (одиночный суррогат Юникода)"
CONTROL_MESSAGE = "Строка содержит управляющие символы"
INT_RANGE_MESSAGE = f"Число вне допустимого диапазона ({INT_MIN}…{INT_MAX})"

# C0 controls and DEL; multi-line text keeps tab and line breaks.
_CONTROL_LINE = re.compile(r"[\x00-\x1f\x7f]")
_CONTROL_MULTILINE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

Row = TypeVar("Row")


def text_problem(value: str) -> str | None:
    """Why a string cannot be stored or echoed back at all (NUL, lone surrogate), or None.

    The API checks every request string (keys included) with it before parsing.
    """
    if "\x00" in value:
        return NUL_MESSAGE
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return SURROGATE_MESSAGE
    return None


def _stored_text_problem(value: str, *, multiline: bool) -> str | None:
    """`text_problem` plus control characters (a one-line field refuses line breaks and tabs too)."""
    problem = text_problem(value)
    if problem is None and (_CONTROL_MULTILINE if multiline else _CONTROL_LINE).search(value):
        problem = CONTROL_MESSAGE
    return problem


def clean_text(value: Any, *, field: str, label: str, max_length: int, required: bool = True,
               multiline: bool = False) -> str | None:
    """Stripped text of at most `max_length` characters; empty → None unless `required`."""
    if value is not None and not isinstance(value, str):
        raise field_error(field, f"«{label}»: ожидается строка")
    text = (value or "").strip()
    if not text:
        if required:
            raise field_error(field, f"Заполните поле «{label}»")
        return None
    problem = _stored_text_problem(text, multiline=multiline)
    if problem:
        raise field_error(field, f"«{label}»: {problem[0].lower()}{problem[1:]}")
    if len(text) > max_length:
        raise field_error(field, f"«{label}»: не длиннее {max_length} символов")
    return text


def clean_title(value: Any, *, field: str = "title", label: str = "Название", max_length: int = 200) -> str:
    """A required one-line title."""
    text = clean_text(value, field=field, label=label, max_length=max_length)
    assert text is not None
    return text


def clean_int(value: Any, *, field: str, label: str, minimum: int = 0, maximum: int = INT_MAX) -> int:
    """An integer within [minimum, maximum] (both inside the INTEGER column range)."""
    if isinstance(value, bool) or value is None or (isinstance(value, str) and not value.strip()):
        raise field_error(field, f"«{label}»: ожидается целое число")
    try:
        number = int(value)
    except (TypeError, ValueError, OverflowError):
        raise field_error(field, f"«{label}»: ожидается целое число") from None
    if isinstance(value, float) and number != value:
        raise field_error(field, f"«{label}»: ожидается целое число")
    if number < minimum:
        raise field_error(field, f"«{label}»: не меньше {minimum}")
    if number > min(maximum, INT_MAX):
        raise field_error(field, f"«{label}»: не больше {min(maximum, INT_MAX)}")
    return number


def clean_bool(value: Any, *, field: str) -> bool:
    if value is None:
        raise field_error(field, "Ожидается true или false")
    return bool(value)


def get_row(session: Session, model: type[Row], key: Any) -> Row | None:
    """`session.get` for an id from user input: None for an empty, over-long or unstorable id
    (PostgreSQL would fail on a NUL inside the query parameter)."""
    if not key or not isinstance(key, str) or len(key) > 64 or text_problem(key) is not None:
        return None
    return session.get(model, key)


def require_row(session: Session, model: type[Row], value: Any, *, field: str, missing: str,
                unknown: str) -> Row:
    """The row a foreign key names; a missing or unknown id is a field error, never an IntegrityError."""
    key = value if isinstance(value, str) else getattr(value, "id", None)
    if not key or not isinstance(key, str):
        raise field_error(field, missing)
    row = get_row(session, model, key)
    if row is None:
        raise field_error(field, unknown)
    return row
