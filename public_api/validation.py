"""Turn pydantic validation errors into the SPEC §2 error body with Russian messages."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from types import UnionType
from typing import Annotated, Any, ClassVar, Union, get_args, get_origin

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    GetJsonSchemaHandler,
    StringConstraints,
    ValidationError,
    ValidationInfo,
    field_validator,
)
from pydantic.alias_generators import to_camel
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema

from core.errors import Invalid
from core.services import clean, names, passwords
from core.services.bounds import MAX_TEXT
from core.services.clean import INT_MAX, INT_MIN, INT_RANGE_MESSAGE, text_problem
from core.services.media_urls import canonical_or_none
from core.services.pagination import MAX_LIMIT

MESSAGES = {
    "missing": "Обязательное поле",
    "extra_forbidden": "Неизвестное поле",
    "string_type": "Ожидается строка",
    "string_too_short": "Слишком короткое значение",
    "string_too_long": "Слишком длинное значение",
    "string_pattern_mismatch": "Неверный формат",
    "int_type": "Ожидается целое число",
    "int_parsing": "Ожидается целое число",
    "int_from_float": "Ожидается целое число",
    "bool_type": "Ожидается true или false",
    "bool_parsing": "Ожидается true или false",
    "float_type": "Ожидается число",
    "float_parsing": "Ожидается число",
    "literal_error": "Недопустимое значение",
    "enum": "Недопустимое значение",
    "list_type": "Ожидается список",
    "dict_type": "Ожидается объект",
    "model_type": "Ожидается объект",
    "greater_than_equal": "Значение слишком мало",
    "less_than_equal": "Значение слишком велико",
    "greater_than": "Значение слишком мало",
    "less_than": "Значение слишком велико",
    "datetime_parsing": "Ожидается дата и время в формате ISO-8601",
    "datetime_type": "Ожидается дата и время в формате ISO-8601",
    "datetime_from_date_parsing": "Ожидается дата и время в формате ISO-8601",
    "timezone_aware": "Укажите часовой пояс (например, +05:00)",
    "date_parsing": "Ожидается дата в формате ГГГГ-ММ-ДД",
    "date_from_datetime_parsing": "Ожидается дата в формате ГГГГ-ММ-ДД",
    "too_short": "Слишком мало элементов",
    "too_long": "Слишком много элементов",
    "value_error": "Недопустимое значение",
    "uuid_parsing": "Неверный идентификатор",
}


# Every request integer must fit the smallest integer column (PostgreSQL INTEGER, 32 bits):
# a bigger one is a 422 here rather than an overflow in the driver (SQLite) or the server (PostgreSQL).
# The bounds and the text rules are core's (`core/services/clean.py`), shared with the back-office.
MAX_DEPTH = 32


def safe_label(value: str) -> str:
    """A field name that can always be encoded into the error body."""
    return value.replace("\x00", "\\u0000").encode("utf-8", "backslashreplace").decode("utf-8")


def check_input(data: Any, *, location: str) -> None:
    """Refuse, before any parsing into models, the values no layer below can handle.

    NUL bytes (PostgreSQL text refuses them), lone surrogates (not encodable as UTF-8: the database
    driver and the JSON response both fail) — in keys and values — and nesting deeper than
    MAX_DEPTH. Iterative, so a hostile depth cannot exhaust the stack. Raises `Invalid` (422).
    """
    fields: list[dict[str, Any]] = []
    stack: list[tuple[Any, str, int]] = [(data, "", 0)]
    while stack and len(fields) < 20:
        value, path, depth = stack.pop()
        if depth > MAX_DEPTH:
            fields.append({"field": path or location, "message": "Слишком глубокая вложенность",
                           "type": "too_deep"})
            continue
        if isinstance(value, str):
            problem = text_problem(value)
            if problem:
                fields.append({"field": path or location, "message": problem, "type": "invalid_text"})
        elif isinstance(value, dict):
            for key, item in value.items():
                key = str(key)
                problem = text_problem(key)
                label = safe_label(key)
                child = f"{path}.{label}" if path else label
                if problem:
                    fields.append({"field": child, "message": problem, "type": "invalid_text"})
                stack.append((item, child, depth + 1))
        elif isinstance(value, list):
            stack.extend((item, f"{path}.{i}" if path else str(i), depth + 1) for i, item in enumerate(value))
    if fields:
        raise Invalid("Проверьте введённые данные", details={"location": location, "fields": fields})


def _check_ints(value: Any) -> Any:
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and not INT_MIN <= value <= INT_MAX:
        raise ValueError(INT_RANGE_MESSAGE)
    if isinstance(value, float) and not -1e15 <= value <= 1e15:  # also NaN and ±inf
        raise ValueError("Число вне допустимого диапазона")
    if isinstance(value, list | tuple | set):
        for item in value:
            _check_ints(item)
    if isinstance(value, dict):
        for item in value.values():
            _check_ints(item)
    return value


@dataclass(frozen=True)
class Declared:
    """JSON-Schema keywords a field declares but pydantic does not check: the service checks the rule
    (with its own message), and the keywords say the same thing (a callable value is built lazily)."""

    keywords: tuple[tuple[str, Any], ...]  # hashable: typing hashes Annotated metadata

    def __get_pydantic_json_schema__(self, schema: CoreSchema, handler: GetJsonSchemaHandler) -> JsonSchemaValue:
        result = handler(schema)
        result.update({key: value() if callable(value) else value for key, value in self.keywords})
        return result


def declared(**keywords: str | int | list[str] | Callable[[], str]) -> Declared:
    return Declared(tuple(keywords.items()))


def _without_null(schema: dict[str, Any]) -> None:
    branches = [branch for branch in schema.pop("anyOf", []) if branch.get("type") != "null"]
    if len(branches) == 1:
        schema.update(branches[0])
    elif branches:
        schema["anyOf"] = branches
    if "default" in schema and schema["default"] is None:
        del schema["default"]


def not_null(**constraints: Any) -> Any:
    """A field that may be left out but is not declared nullable: the service refuses null for it.
    (Typed `X | None` so pydantic reports errors under the field's own name.)"""
    return Field(default=None, json_schema_extra=_without_null, **constraints)


# Texts as the services clean them (core/services/clean.py `clean_text`): a one-line text refuses control
# characters, tabs and line breaks; a multi-line one keeps tabs and line breaks; a required one must not be
# blank after trimming. The lengths are the field's (`Field(max_length=…)`, the service's limit).
OneLine = Annotated[str, declared(pattern=clean.ONE_LINE_PATTERN)]
RequiredOneLine = Annotated[str, declared(pattern=clean.REQUIRED_ONE_LINE_PATTERN)]
MultiLine = Annotated[str, declared(pattern=clean.MULTILINE_PATTERN)]
RequiredMultiLine = Annotated[str, declared(pattern=clean.REQUIRED_MULTILINE_PATTERN)]
# Only "not blank" (a service that trims and requires the text, with no rule on characters).
NotBlank = Annotated[str, declared(pattern=clean.NOT_BLANK_PATTERN)]
Email = Annotated[str, declared(pattern=clean.EMAIL_PATTERN, maxLength=clean.EMAIL_MAX_LENGTH)]
DisplayName = Annotated[str, declared(pattern=names.display_name_pattern, maxLength=names.MAX_LENGTH)]

# A password reaches the service exactly as typed (never trimmed); the service checks its rules.
Password = Annotated[str, StringConstraints(strip_whitespace=False, max_length=1024)]
# A password being set: the lengths `core.services.passwords` checks (the blocklist is a business refusal).
NewPassword = Annotated[Password, declared(minLength=passwords.MIN_LENGTH, maxLength=passwords.MAX_LENGTH)]


def _scalar_kind(annotation: Any) -> type | None:
    """int, float or bool when the field holds exactly that scalar (optionally None), else None."""
    while get_origin(annotation) is Annotated:
        annotation = get_args(annotation)[0]
    args = get_args(annotation) if get_origin(annotation) in (Union, UnionType) else (annotation,)
    kinds = {a for a in args if a is not type(None)}
    if len(kinds) == 1:
        kind = kinds.pop()
        return kind if kind in (int, float, bool) else None
    return None


STRICT_MESSAGES = {int: "Ожидается целое число", float: "Ожидается число", bool: "Ожидается true или false"}


class ApiModel(BaseModel):
    """Request models: camelCase on the wire, unknown fields refused, numbers within column range,
    strict scalars (no "5" or true for a number, no 1 for a boolean), every string at most MAX_TEXT."""

    model_config = ConfigDict(extra="forbid", alias_generator=to_camel, populate_by_name=True,
                              str_strip_whitespace=True, str_max_length=MAX_TEXT)
    strict_scalars: ClassVar[bool] = True

    @field_validator("*", mode="before")
    @classmethod
    def _strict_scalar_types(cls, value: Any, info: ValidationInfo) -> Any:
        if not cls.strict_scalars or value is None or info.field_name is None:
            return value
        kind = _scalar_kind(cls.model_fields[info.field_name].annotation)
        if kind is None:
            return value
        if kind is int and isinstance(value, float) and value.is_integer():
            return int(value)  # JSON Schema's integer: 5.0 is the integer 5
        ok = (isinstance(value, bool) if kind is bool
              else isinstance(value, int) and not isinstance(value, bool) if kind is int
              else isinstance(value, int | float) and not isinstance(value, bool))
        if not ok:
            raise ValueError(STRICT_MESSAGES[kind])
        return value

    @field_validator("*", mode="after")
    @classmethod
    def _numbers_in_range(cls, value: Any) -> Any:
        return _check_ints(value)


class QueryModel(ApiModel):
    model_config = ConfigDict(extra="ignore", alias_generator=to_camel, populate_by_name=True,
                              str_strip_whitespace=True, str_max_length=MAX_TEXT)
    strict_scalars: ClassVar[bool] = False  # query strings are text: "20" is the number 20


class PageQuery(QueryModel):
    """`limit`/`offset` of every paginated list (bounds checked by `core.services.pagination.Page`)."""

    # Declared in the schema; checked (with their Russian messages) by `Page.of`.
    limit: int = Field(default=20, json_schema_extra={"minimum": 1, "maximum": MAX_LIMIT})
    offset: int = Field(default=0, json_schema_extra={"minimum": 0})


class OutModel(BaseModel):
    """Response models: camelCase on the wire, read from model rows or service dataclasses by attribute."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, from_attributes=True)


# A stored media URL as clients see it: the canonical `/api/media/<key>` whatever form an old row holds.
MediaUrlOut = Annotated[str | None, AfterValidator(canonical_or_none)]


def to_invalid(error: ValidationError, *, location: str = "body") -> Invalid:
    fields: list[dict[str, Any]] = []
    for item in error.errors(include_url=False, include_context=False, include_input=False):
        loc = ".".join(str(part) for part in item.get("loc", ()) if part != "__root__")
        kind = item.get("type", "value_error")
        message = MESSAGES.get(kind, "Недопустимое значение")
        if kind == "value_error" and item.get("msg", "").startswith("Value error, "):
            message = item["msg"].removeprefix("Value error, ")
        fields.append({"field": loc or location, "message": message, "type": kind})
    return Invalid("Проверьте введённые данные", details={"location": location, "fields": fields})
