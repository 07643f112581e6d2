"""Turn pydantic validation errors into the SPEC §2 error body with Russian messages."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError
from pydantic.alias_generators import to_camel

from core.errors import Invalid

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


class ApiModel(BaseModel):
    """Request models: camelCase on the wire, unknown fields refused."""

    model_config = ConfigDict(extra="forbid", alias_generator=to_camel, populate_by_name=True,
                              str_strip_whitespace=True)


class QueryModel(ApiModel):
    model_config = ConfigDict(extra="ignore", alias_generator=to_camel, populate_by_name=True,
                              str_strip_whitespace=True)


class PageQuery(QueryModel):
    """`limit`/`offset` of every paginated list (bounds checked by `core.services.pagination.Page`)."""

    limit: int = 20
    offset: int = 0


class OutModel(BaseModel):
    """Response models: camelCase on the wire."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, from_attributes=True)


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
