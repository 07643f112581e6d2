"""Matching statement lines against PENDING payment requests, in memory (no queries here).

A line matches a request when the request's sender code is a whole digit token of the line's comment
(«Оплата 48213», «код:48213;» — not «1248213» nor «48213999») and the amount is exactly the request's.
    MATCHED          one request's code with exactly its amount (a request goes to its first such line)
    AMOUNT_MISMATCH  a request's code, but another amount
    UNMATCHED        no request's code; or the codes of several requests with the exact amount; or a
                     request already matched by an earlier line (a second transfer: checked by a person)
    INVALID          the amount cannot be read
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from core.models import StatementLineStatus as S
from core.texts import money

_DIGITS = re.compile(r"[0-9]+")
CODE_MIN, CODE_MAX = 4, 8


@dataclass(frozen=True)
class Pending:
    """A PENDING request of either kind, as the matcher and the page need it."""

    kind: str  # PaymentKind
    id: str
    code: str
    amount: int  # whole currency units, as on the request
    currency: str
    label: str


@dataclass(frozen=True)
class Line:
    line_no: int
    amount_minor: int | None
    amount_text: str
    comment: str


@dataclass(frozen=True)
class Result:
    status: S
    request: Pending | None = None
    note: str | None = None


def code_tokens(comment: str) -> list[str]:
    """The whole digit runs of 4–8 digits, in order, without repeats."""
    seen: dict[str, None] = {}
    for token in _DIGITS.findall(comment):
        if CODE_MIN <= len(token) <= CODE_MAX:
            seen.setdefault(token, None)
    return list(seen)


def format_minor(amount_minor: int, currency: str = "KZT") -> str:
    """«2000 ₸», «2000,50 ₸», «-150 ₸» (the amounts the requests show, with tiyn when there are any)."""
    units, cents = divmod(abs(amount_minor), 100)
    sign = "-" if amount_minor < 0 else ""
    value = f"{units}" if cents == 0 else f"{units},{cents:02d}"
    return f"{sign}{value} ₸" if currency == "KZT" else f"{sign}{value} {currency}"


def match_lines(lines: Iterable[Line], pending: dict[str, Pending]) -> list[Result]:
    """One result per line, in the order given (the file's order decides which line takes a request)."""
    taken: dict[str, int] = {}
    results: list[Result] = []
    for line in lines:
        results.append(_match(line, pending, taken))
    return results


def _match(line: Line, pending: dict[str, Pending], taken: dict[str, int]) -> Result:
    if line.amount_minor is None:
        shown = line.amount_text[:60]
        return Result(S.INVALID, note=f"Сумма «{shown}» не распознана" if shown else "Сумма не указана")
    candidates = [pending[t] for t in code_tokens(line.comment) if t in pending]
    if not candidates:
        return Result(S.UNMATCHED)
    exact = [r for r in candidates if r.amount * 100 == line.amount_minor]
    if len(exact) > 1:
        codes = ", ".join(r.code for r in exact)
        return Result(S.UNMATCHED, note=f"В комментарии коды нескольких заявок ({codes}): проверьте вручную")
    if exact:
        request = exact[0]
        if request.id in taken:
            return Result(S.UNMATCHED, request,
                          f"Заявка уже сопоставлена строке {taken[request.id]}: второй перевод, проверьте вручную")
        taken[request.id] = line.line_no
        return Result(S.MATCHED, request)
    request = candidates[0]
    return Result(S.AMOUNT_MISMATCH, request,
                  f"В выписке {format_minor(line.amount_minor, request.currency)}, "
                  f"в заявке {money(request.amount, request.currency)}")
