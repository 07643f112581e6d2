"""Statuses as coloured badges (one look tells what waits and what is done)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from markupsafe import Markup

# status value → (Russian label, Tabler colour class)
StatusStyles = Mapping[Any, tuple[str, str]]


def badge(label: str, colour: str) -> Markup:
    return Markup("<span class='badge {} text-white'>{}</span>").format(colour, label)


def status_formatter(styles: StatusStyles, attr: str = "status") -> Callable[[Any, Any], Markup]:
    def format_status(model: Any, _attr: Any) -> Markup:
        value = str(getattr(model, attr))
        label, colour = styles.get(value, (value, "bg-secondary"))
        return badge(label, colour)

    return format_status
