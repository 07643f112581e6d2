"""Input cleaning shared by every door: the API's request models and the back-office forms reach
the same rules through the services, so a value one door refuses the other refuses too.

Each function takes the raw value and the field name used in the error details, returns the clean
value, and raises `Invalid` (422) with a Russian message. Bounds follow the columns: text fits its
VARCHAR, integers fit PostgreSQL INTEGER (the smallest integer column), and no text carries a NUL
(PostgreSQL refuses it), a lone surrogate (not encodable as UTF-8) or other control characters.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any, TypeVar

from sqlalchemy.orm import Session

from core.errors import field_error

INT_MIN, INT_MAX = -(2**31), 2**31 - 1
NUL_MESSAGE = "Строка не может содержать нулевой символ (\\u0000)"
SURROGATE_MESSAGE = "Строка содержит недопустимые символы (одиночный суррогат Юникода)"
CONTROL_MESSAGE = "Строка содержит управляющие символы"
INT_RANGE_MESSAGE = f"Число вне допустимого диапазона ({INT_MIN}…{INT_MAX})"

MAX_TITLE_CHARS = 200
EMAIL_MAX_LENGTH = 254
EMAIL_MESSAGE = "Введите корректный email"

# ---- the rules as character sets, and the same rules as JSON-Schema patterns ---------------------
# The API schema declares each text rule as a `pattern` built here from the very sets the cleaners
# use (public_api/validation.py), so a value matches exactly when its cleaner accepts it; lengths are
# declared apart (`maxLength`). The patterns work in Python `re` (schemathesis, jsonschema) and in
# ECMA-262 alike (and in the Rust engine schemathesis validates with): explicit classes only (`\s`
# differs between engines), code points of the BMP as `\u` escapes of four hex digits, astral ones as the characters
# themselves. Lone surrogates are no characters to those engines, so no pattern names them: the API
# refuses them in every request value before parsing (`public_api.validation.check_input`).

SPACES = frozenset(c for c in range(0x10000) if chr(c).isspace())  # what str.strip() removes
LINE_REFUSED = frozenset([*range(0x20), 0x7F])  # C0 controls, DEL
MULTILINE_REFUSED = LINE_REFUSED - {ord("\t"), ord("\n"), ord("\r")}  # multi-line text keeps tab, line breaks


def char_class(code_points: Iterable[int], *, negate: bool = False) -> str:
    """A regex character class of these code points, as ranges (see the note above on escapes)."""
    points = sorted(set(code_points))
    ranges: list[tuple[int, int]] = []
    for point in points:
        if ranges and point == ranges[-1][1] + 1:
            ranges[-1] = (ranges[-1][0], point)
        else:
            ranges.append((point, point))

    def one(point: int) -> str:
        if chr(point).isascii() and chr(point).isalnum():
            return chr(point)
        return f"\\u{point:04x}" if point < 0x10000 else chr(point)

    body = "".join(one(a) if a == b else f"{one(a)}{'' if b == a + 1 else '-'}{one(b)}" for a, b in ranges)
    return f"[{'^' if negate else ''}{body}]"


def text_pattern(*, multiline: bool, required: bool) -> str:
    """What `clean_text` accepts, as a regex over the raw value (before trimming).

    Spaces at either end are trimmed first, so a refused character that is also a space (a tab or a
    line break in a one-line field, \\x1c–\\x1f, a vertical tab) is allowed only in those ends; other
    refused characters nowhere. `required`: at least one character that is not a space.
    """
    refused = MULTILINE_REFUSED if multiline else LINE_REFUSED
    space, edge_only = char_class(SPACES), char_class(SPACES & refused)
    body = f"{char_class(refused | SPACES, negate=True)}{char_class(refused, negate=True)}*(?:{edge_only}{space}*)?"
    return f"^{space}*{body}$" if required else f"^{space}*(?:{body})?$"


def trimmed_pattern(regex: str) -> str:
    """A value that, trimmed, fully matches `regex` (written in the common dialect: no `\\d`, `\\s`, `\\w`)."""
    return f"^{char_class(SPACES)}*(?:{regex}){char_class(SPACES)}*$"


ONE_LINE_PATTERN = text_pattern(multiline=False, required=False)
REQUIRED_ONE_LINE_PATTERN = text_pattern(multiline=False, required=True)
MULTILINE_PATTERN = text_pattern(multiline=True, required=False)
REQUIRED_MULTILINE_PATTERN = text_pattern(multiline=True, required=True)
# Any text with a character that is not a space (for the fields a service only requires non-blank).
NOT_BLANK_PATTERN = f"^{char_class(SPACES)}*{char_class(SPACES | {0}, negate=True)}{char_class({0}, negate=True)}*$"
_EMAIL_PART = char_class(SPACES | LINE_REFUSED | {ord("@")}, negate=True)
# name@domain.tld with spaces around allowed (trimmed); no spaces, "@" or control characters inside.
EMAIL_PATTERN = f"^{char_class(SPACES)}*{_EMAIL_PART}+@{_EMAIL_PART}+\\.{_EMAIL_PART}+{char_class(SPACES)}*$"
_EMAIL = re.compile(EMAIL_PATTERN)
_CONTROL_LINE = re.compile(char_class(LINE_REFUSED))
_CONTROL_MULTILINE = re.compile(char_class(MULTILINE_REFUSED))

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


def clean_email(value: Any, *, field: str = "email") -> str:
    """A trimmed, lower-cased address matching EMAIL_PATTERN, at most EMAIL_MAX_LENGTH characters."""
    if not isinstance(value, str) or not _EMAIL.match(value):
        raise field_error(field, EMAIL_MESSAGE)
    email = value.strip().lower()
    if len(email) > EMAIL_MAX_LENGTH:
        raise field_error(field, EMAIL_MESSAGE)
    return email


def clean_title(value: Any, *, field: str = "title", label: str = "Название",
                max_length: int = MAX_TITLE_CHARS) -> str:
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
