"""HTTP Range and conditional-request helpers for media serving.

Policy (documented in decisions): one `bytes=` range is honoured (206); a syntactically valid
range that starts past the end is 416 with `Content-Range: bytes */size`; anything else —
several ranges, garbage, a range with first > last, non-bytes units — is ignored and the whole
file is answered with 200, as RFC 9110 allows.
"""

from __future__ import annotations

import re

_RANGE = re.compile(r"\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*")


class Unsatisfiable(Exception):
    pass


def parse_range(header: str | None, size: int) -> tuple[int, int] | None:
    """(start, end) inclusive, None for "send everything"; raises Unsatisfiable (416)."""
    if not header or "," in header:
        return None
    match = _RANGE.fullmatch(header)
    if not match:
        return None
    first, last = match.groups()
    if len(first) > 19 or len(last) > 19:  # absurd numbers: cannot be within any file
        raise Unsatisfiable()
    if first == "" and last == "":
        return None
    if first == "":
        suffix = int(last)
        if suffix == 0 or size == 0:
            raise Unsatisfiable()
        return max(size - suffix, 0), size - 1
    start = int(first)
    end = int(last) if last else size - 1
    if last and end < start:
        return None
    if start >= size:
        raise Unsatisfiable()
    return start, min(end, size - 1)


def etag_matches(if_none_match: str | None, etag: str) -> bool:
    if not if_none_match:
        return False
    if if_none_match.strip() == "*":
        return True
    bare = etag.removeprefix("W/")
    return any(tag.strip().removeprefix("W/") == bare for tag in if_none_match.split(","))
