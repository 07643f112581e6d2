"""SPEC §2 permission matrix for every club route × caller (anonymous, student of the club, mentor of
another club, club mentor, club owner, support, admin, plus a plain stranger), through real HTTP.

Clubs are public, so acting on someone else's club is 403; classes are visible only to the club's
people, so strangers, support and admins get 404 (they use the back-office). Owner/mentor cannot join
their own club as a student (409 is_mentor); an enrolled student joining again is 409 already_member.
"""

from __future__ import annotations

import pytest

from tests.factories import token_for
from tests.factories_clubs import make_class

WHO = ("anonymous", "stranger", "student", "other_mentor", "club_mentor", "owner", "support", "admin")

# route: expected status per caller, in WHO order
MATRIX: dict[str, tuple[int, ...]] = {
    "directory":        (200, 200, 200, 200, 200, 200, 200, 200),
    "my_clubs":         (401, 200, 200, 200, 200, 200, 200, 200),
    "join":             (401, 201, 409, 201, 409, 409, 201, 201),
    "create_club":      (401, 403, 403, 201, 403, 403, 403, 403),
    "create_class":     (401, 403, 403, 403, 403, 201, 403, 403),
    "regenerate_code":  (401, 404, 403, 404, 403, 200, 404, 404),
    "add_student":      (401, 404, 403, 404, 403, 202, 404, 404),
    "remove_student":   (401, 404, 403, 404, 403, 200, 404, 404),
    "assign_mentor":    (401, 403, 403, 403, 403, 202, 403, 403),
}
CASES = [(route, who, MATRIX[route][i]) for route in MATRIX for i, who in enumerate(WHO)]


@pytest.mark.parametrize("route, who, expected", CASES, ids=[f"{r}-{w}" for r, w, _ in CASES])
def test_club_routes_permission_matrix(app, client, make, route, who, expected):
    owner = make.student()
    make.subscription(owner, max_classes_per_kruzhok=5)
    club = make.club(owner)
    klass = make_class(make.session, club)
    enrolled = make.student()
    make.enrollment(klass, enrolled)
    users = {"stranger": make.student, "student": lambda: enrolled, "other_mentor": make.mentor_user,
             "club_mentor": lambda: make.mentor(club).user, "owner": lambda: owner,
             "support": make.support, "admin": make.admin}
    headers = token_for(app, users[who]()) if who != "anonymous" else {}
    newcomer = make.student()
    calls = {
        "directory": lambda: client.get("/api/clubs", headers=headers),
        "my_clubs": lambda: client.get("/api/kruzhok/my", headers=headers),
        "join": lambda: client.post("/api/clubs/join", headers=headers, json={"code": klass.join_code}),
        "create_club": lambda: client.post("/api/kruzhok", headers=headers, json={"title": "Новый кружок"}),
        "create_class": lambda: client.post(f"/api/kruzhok/{club.id}/classes", headers=headers,
                                            json={"name": "Новый"}),
        "regenerate_code": lambda: client.post(f"/api/kruzhok/classes/{klass.id}/regenerate-code", headers=headers),
        "add_student": lambda: client.post(f"/api/kruzhok/classes/{klass.id}/students", headers=headers,
                                           json={"email": newcomer.email}),
        "remove_student": lambda: client.delete(f"/api/kruzhok/classes/{klass.id}/students/{enrolled.id}",
                                                headers=headers),
        "assign_mentor": lambda: client.post(f"/api/kruzhok/{club.id}/mentors", headers=headers,
                                             json={"email": newcomer.email}),
    }
    r = calls[route]()
    assert r.status_code == expected, r.text
    if expected >= 400:
        error = r.json()["error"]
        assert error["message"] and any("а" <= ch <= "я" for ch in error["message"].lower()), error
    if route == "directory":
        assert klass.join_code not in r.text  # never a code, whoever asks
