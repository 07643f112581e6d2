"""Chart data of the reports: attendance over time and the distribution of quiz scores.

A chart is a few labelled bars (at most MAX_BARS), computed from one grouped query of the report, so
it is drawn the same way in the PDF and on a screen.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

MAX_BARS = 24
MONTHS = ("янв", "фев", "мар", "апр", "май", "июн", "июл", "авг", "сен", "окт", "ноя", "дек")


@dataclass(frozen=True)
class ChartData:
    title: str
    labels: list[str]
    values: list[float]
    unit: str  # "%" or "" (counts)
    max_value: float  # the top of the axis


def attendance_chart(points: Iterable[tuple[date, int, int]]) -> ChartData | None:
    """Attendance % per day (per month when there are more than MAX_BARS days; the latest MAX_BARS
    months) from (local day, attended, marked-and-counted) per session."""
    by_day: dict[date, list[int]] = {}
    for day, attended, counted in points:
        if counted:
            acc = by_day.setdefault(day, [0, 0])
            acc[0] += attended
            acc[1] += counted
    if not by_day:
        return None
    buckets: dict[tuple[int, int, int], list[int]] = {}
    monthly = len(by_day) > MAX_BARS
    for day, (attended, counted) in by_day.items():
        key = (day.year, day.month, 0 if monthly else day.day)
        acc = buckets.setdefault(key, [0, 0])
        acc[0] += attended
        acc[1] += counted
    keys = sorted(buckets)[-MAX_BARS:]
    labels = [f"{MONTHS[m - 1]} {y % 100:02d}" if monthly else f"{d:02d}.{m:02d}" for y, m, d in keys]
    values = [round(100 * buckets[k][0] / buckets[k][1], 1) for k in keys]
    return ChartData(title="Посещаемость по времени, %", labels=labels, values=values, unit="%", max_value=100.0)


def score_chart(counts: dict[int, int]) -> ChartData | None:
    """Number of graded attempts per score band 0–9, 10–19, …, 90–100 (`counts`: band index → n)."""
    if not any(counts.values()):
        return None
    bands = [0] * 10
    for band, n in counts.items():
        bands[max(0, min(9, int(band)))] += int(n)
    labels = [f"{10 * i}–{10 * i + 9}" if i < 9 else "90–100" for i in range(10)]
    return ChartData(title="Распределение баллов за тесты", labels=labels, values=[float(n) for n in bands],
                     unit="", max_value=float(max(bands)))
