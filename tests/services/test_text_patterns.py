"""The JSON-Schema patterns the API declares (core/services/clean.py, names.py) say exactly what the
cleaners accept: for each pattern, `re.search` (what jsonschema and schemathesis use) and the service
agree on a table of tricky strings and on generated ones. (Lone surrogates are no characters to the
schema's regex engines; the API refuses them in every value before parsing, tests/api.)"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.errors import Invalid
from core.services import checkin, clean, membership, names, payment_requests, report_filters

TRICKY = [
    "", " ", "   ", "\u00a0", "\u00a0\u00a0", "\u3000", "\u2028", "\u200b", "\ufeff", "\t", "\n", "\r\n", " \n ",
    "a", " a ", "ab", "a b", "\u00a0a\u00a0", "a\tb", "a\nb", "a\r\nb", "a\n", "\na", "\ta\t", "a\n\n", "a \n",
    "a\x7f", "\x7f", "a\x1f", "\x1f", "a\x1fb", "\x1ca\x1d", "a\x0bb", "a\x0b", "\x0ca", "a\x85b", "a\x00b", "\x00",
    "a\x01", "\x01a", "a\x08b", "a\x0eb", "a\x1bb", "a\x9fb", "😀", " 😀 ", "a😀b", "Привет, мир",
    "Иван Петров", "  Иван  ", "e\u0301", "\u0301", "\u0301\u0301", "a\u0301b", "a\u200bb", "a\ue000b", "ab\U000e0001",
    "a\U00069daab", "\U00010000x", "ᄀ ᅡ", "١٢٣٤٥٦", "123456", " 123456 ", "12345", "1234567", "1234", "12345678",
    "123456789", "\t123456\n", "12 3456", "1234\n56",
    "a@b.c", " a@b.c ", "A@B.C", "a@b", "@b.c", "a@.c", "a@b.", "a@@b.c", "a b@c.d", "a@b.c.d", "a.b@c", "a@b\x01.c",
    "a\x01@b.c", "a@b.c\n", "\ta@b.c\t", "a@b\u00a0.c", "имя@почта.рф", "a@b.c😀", "a\u2028@b.c", "a@b..c", ".@..",
    "2024-01-01", " 2024-02-29 ", "2023-02-29", "2000-02-29", "2100-02-29", "2100-12-31", "1999-12-31", "2101-01-01",
    "2024-13-01", "2024-04-31", "2024-04-30", "2024-W01-1", "2024-1-01", "20240101", "٢٠٢٤-٠١-٠١",
]


def _accepts(check: Callable[[str], object]) -> Callable[[str], bool]:
    def accepts(value: str) -> bool:
        try:
            check(value)
        except Invalid:
            return False
        return True
    return accepts


def _stored_text(*, multiline: bool, required: bool) -> Callable[[str], bool]:
    return _accepts(lambda v: clean.clean_text(v, field="f", label="F", max_length=10**6, required=required,
                                               multiline=multiline))


def _not_blank(value: str) -> bool:
    return clean.text_problem(value) is None and bool(value.strip())


def _report_day(value: str) -> bool:
    problems: list[dict[str, str]] = []
    report_filters._date({"from": value}, "from", problems)
    return not problems


def _code(regex: re.Pattern[str]) -> Callable[[str], bool]:
    return lambda value: regex.fullmatch(value.strip()) is not None


RULES: dict[str, tuple[str, Callable[[str], bool]]] = {
    "one line": (clean.ONE_LINE_PATTERN, _stored_text(multiline=False, required=False)),
    "required one line": (clean.REQUIRED_ONE_LINE_PATTERN, _stored_text(multiline=False, required=True)),
    "multi-line": (clean.MULTILINE_PATTERN, _stored_text(multiline=True, required=False)),
    "required multi-line": (clean.REQUIRED_MULTILINE_PATTERN, _stored_text(multiline=True, required=True)),
    "not blank": (clean.NOT_BLANK_PATTERN, _not_blank),
    "email": (clean.EMAIL_PATTERN, _accepts(clean.clean_email)),
    "display name": (names.display_name_pattern(), _accepts(names.clean_display_name)),
    "join code": (membership.CODE_PATTERN, _code(membership.CODE_RE)),
    "check-in code": (checkin.CODE_PATTERN, _code(checkin.CODE_RE)),
    "sender code": (payment_requests.CODE_PATTERN,
                    _accepts(lambda v: payment_requests.clean_code(v, field="senderCode"))),
    "report day": (report_filters.DAY_PATTERN, _report_day),
}


@pytest.mark.parametrize("rule", sorted(RULES))
def test_the_pattern_and_the_service_agree_on_tricky_strings(rule: str) -> None:
    pattern, accepts = RULES[rule]
    regex = re.compile(pattern)
    disagree = [value for value in TRICKY if bool(regex.search(value)) != accepts(value)]
    assert disagree == []


@pytest.mark.parametrize("rule", sorted(RULES))
def test_the_pattern_and_the_service_agree_on_generated_strings(rule: str) -> None:
    pattern, accepts = RULES[rule]
    regex = re.compile(pattern)
    spaces_and_controls = st.sampled_from(sorted(chr(c) for c in clean.SPACES | clean.LINE_REFUSED))
    texts = st.text(st.one_of(st.characters(), spaces_and_controls, st.sampled_from("@.0123456789")), max_size=12)

    @settings(max_examples=400, derandomize=True, database=None, deadline=None,
              suppress_health_check=list(HealthCheck))
    @given(value=st.one_of(texts, st.from_regex(regex)))
    def agree(value: str) -> None:
        assert bool(regex.search(value)) == accepts(value), repr(value)

    agree()


def test_the_table_covers_both_answers_of_every_rule() -> None:
    for rule, (_pattern, accepts) in RULES.items():
        answers = {accepts(value) for value in TRICKY}
        assert answers == {True, False}, rule


@pytest.mark.parametrize("value", ["a@b.c\x01", "a\x7f@b.c", "a\x1c@b.c"])
def test_an_email_with_a_control_character_is_refused(value: str) -> None:
    with pytest.raises(Invalid):
        clean.clean_email(value)
