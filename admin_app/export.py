"""Back-office CSV export through `core.csv_export`: SQLAdmin's own writer copies cells verbatim."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from sqladmin import ModelView
from sqladmin.helpers import secure_filename
from sqladmin.pretty_export import PrettyExport
from starlette.requests import Request
from starlette.responses import StreamingResponse

from core.csv_export import aiter_csv


def export_csv(view: ModelView, data: list[Any], request: Request | None) -> StreamingResponse:
    """SQLAdmin's CSV export (plain or pretty, same columns and values) with formula cells neutralised and
    the Russian column labels as its header."""
    pretty = view.use_pretty_export
    names = view.get_export_columns() if pretty else view._export_prop_names
    header = [view._column_labels.get(name, name) for name in names]  # Russian labels, plain or pretty

    async def rows() -> AsyncIterator[list[Any]]:
        for row in data:
            if pretty:
                yield await PrettyExport._get_export_row_values(view, row, names, request)
            else:
                yield [await view.get_prop_value(row, name) for name in names]

    filename = secure_filename(view.get_export_name(export_type="csv"))
    return StreamingResponse(aiter_csv(header, rows()), media_type="text/csv; charset=utf-8",
                             headers={"Content-Disposition": f"attachment;filename={filename}"})
