"""CSRF: no back-office state change without a same-origin Origin/Referer and the session's token."""

from __future__ import annotations

import asyncio

import pytest

from admin_app.csrf import MAX_SCAN, CSRFMiddleware
from core.models import AuditEvent, User
from tests.admin.helpers import EVIL, ORIGIN, block_form, csrf_of, login
from tests.factories import PASSWORD


@pytest.fixture
def admin_client(client, make):  # type: ignore[no-untyped-def]
    login(client, make.admin())
    return client


def _unchanged(session, user: User, full_name: str = "Было") -> None:  # type: ignore[no-untyped-def]
    session.expire_all()
    fresh = session.get(User, user.id)
    assert fresh.is_blocked is False
    assert fresh.full_name == full_name
    assert session.query(AuditEvent).filter_by(entity_id=user.id).count() == 0


# --- the real back-office ---------------------------------------------------------------------------

def test_cross_site_post_to_a_form_action_changes_nothing(admin_client, make, session):
    target = make.student(full_name="Было")
    token = csrf_of(admin_client)
    r = admin_client.post("/admin/user/form-action/block", data=block_form(target.id, token), headers=EVIL,
                          follow_redirects=False)
    assert r.status_code == 403
    assert "источник" in r.text
    _unchanged(session, target)


def test_cross_site_post_to_the_builtin_edit_form_changes_nothing(admin_client, make, session):
    target = make.student(full_name="Было")
    token = csrf_of(admin_client)
    r = admin_client.post(f"/admin/user/edit/{target.id}", headers=EVIL, follow_redirects=False,
                          data={"csrf_token": token, "full_name": "Стало", "role": "ADMIN"})
    assert r.status_code == 403
    _unchanged(session, target)


def test_post_without_origin_or_referer_changes_nothing(admin_client, make, session):
    target = make.student(full_name="Было")
    token = csrf_of(admin_client)
    r = admin_client.post("/admin/user/form-action/block", data=block_form(target.id, token),
                          follow_redirects=False)
    assert r.status_code == 403
    _unchanged(session, target)


@pytest.mark.parametrize("token", [None, "", "wrong-token", "é-not-ascii"])
def test_post_without_the_right_token_changes_nothing(admin_client, make, session, token):
    target = make.student(full_name="Было")
    csrf_of(admin_client)
    r = admin_client.post("/admin/user/form-action/block", data=block_form(target.id, token), headers=ORIGIN,
                          follow_redirects=False)
    assert r.status_code == 403
    assert "CSRF" in r.text
    r = admin_client.post(f"/admin/user/edit/{target.id}", headers=ORIGIN, follow_redirects=False,
                          data={**({"csrf_token": token} if token is not None else {}), "full_name": "Стало",
                                "role": "USER"})
    assert r.status_code == 403
    _unchanged(session, target)


def test_wrong_token_in_the_header_changes_nothing(admin_client, make, session):
    target = make.student(full_name="Было")
    r = admin_client.post("/admin/user/form-action/block", data=block_form(target.id, None),
                          headers={**ORIGIN, "X-CSRF-Token": "nope"}, follow_redirects=False)
    assert r.status_code == 403
    _unchanged(session, target)


def test_a_token_from_another_session_is_refused(client, app, make, session):
    from starlette.testclient import TestClient

    target = make.student(full_name="Было")
    with TestClient(app) as other:
        login(other, make.admin())
        foreign_token = csrf_of(other)
    login(client, make.admin())
    r = client.post("/admin/user/form-action/block", data=block_form(target.id, foreign_token), headers=ORIGIN,
                    follow_redirects=False)
    assert r.status_code == 403
    _unchanged(session, target)


def test_get_of_the_action_url_only_shows_the_dialog(admin_client, make, session):
    target = make.student(full_name="Было")
    r = admin_client.get(f"/admin/user/action/block?pks={target.id}")
    assert r.status_code == 200
    assert 'id="modal-block"' in r.text
    assert "Причина блокировки" in r.text
    assert f'name="pks" value="{target.id}"' in r.text
    _unchanged(session, target)


def test_right_token_and_same_origin_blocks_the_user(admin_client, app, make, session):
    target = make.student()
    before = admin_client.post("/api/auth/login", json={"email": target.email, "password": PASSWORD})
    user_token = {"Authorization": f"Bearer {before.json()['token']}"}
    assert admin_client.get("/api/me", headers=user_token).status_code == 200

    token = csrf_of(admin_client)
    r = admin_client.post(f"/admin/user/form-action/block?next=/admin/user/details/{target.id}",
                          data=block_form(target.id, token, reason="Спам в комментариях"), headers=ORIGIN,
                          follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"] == f"/admin/user/details/{target.id}"
    assert "Пользователь заблокирован" in admin_client.get(r.headers["location"]).text  # the flash

    session.expire_all()
    blocked = session.get(User, target.id)
    assert blocked.is_blocked is True
    assert blocked.blocked_reason == "Спам в комментариях"
    event = session.query(AuditEvent).filter_by(entity_id=target.id, action="user.block").one()
    assert event.data == {"reason": "Спам в комментариях"}

    assert admin_client.get("/api/me", headers=user_token).status_code == 401
    again = admin_client.post("/api/auth/login", json={"email": target.email, "password": PASSWORD})
    assert again.status_code == 403
    assert again.json()["error"]["code"] == "account_blocked"


def test_referer_is_accepted_when_origin_is_absent(admin_client, make, session):
    target = make.student()
    token = csrf_of(admin_client)
    r = admin_client.post("/admin/user/form-action/block", data=block_form(target.id, token),
                          headers={"Referer": f"http://testserver/admin/user/details/{target.id}"},
                          follow_redirects=False)
    assert r.status_code == 303
    session.expire_all()
    assert session.get(User, target.id).is_blocked is True


def test_empty_reason_is_a_russian_flash_and_changes_nothing(admin_client, make, session):
    target = make.student(full_name="Было")
    token = csrf_of(admin_client)
    r = admin_client.post("/admin/user/form-action/block", data=block_form(target.id, token, reason="  "),
                          headers=ORIGIN, follow_redirects=True)
    assert r.status_code == 200
    assert "Заполните поле «Причина блокировки»" in r.text
    _unchanged(session, target, full_name=target.full_name)


def test_offsite_next_is_ignored(admin_client, make):
    target = make.student()
    token = csrf_of(admin_client)
    r = admin_client.post("/admin/user/form-action/block?next=https://evil.example/x",
                          data=block_form(target.id, token), headers=ORIGIN, follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"].endswith("/admin/user/list")


# --- the middleware on its own (methods and bodies no registered view needs) ------------------------

TOKEN = "the-session-token"


class Recorder:
    """An ASGI app behind CSRFMiddleware that records what reaches it."""

    def __init__(self) -> None:
        self.called = False
        self.chunks: list[bytes] = []
        self.pulled_before_call = 0

    async def __call__(self, scope, receive, send):  # type: ignore[no-untyped-def]
        self.called = True
        while True:
            message = await receive()
            self.chunks.append(message.get("body", b""))
            if not message.get("more_body"):
                break
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})


def _run(method: str, chunks: list[bytes], *, headers: dict[str, str], path: str = "/admin/x/y",
         session_token: str = TOKEN) -> tuple[int, Recorder, list[int]]:
    inner = Recorder()
    pulled = [0]
    pending = list(chunks) or [b""]

    async def receive():  # type: ignore[no-untyped-def]
        pulled[0] += 1
        body = pending.pop(0)
        return {"type": "http.request", "body": body, "more_body": bool(pending)}

    async def app(scope, receive_, send):  # type: ignore[no-untyped-def]
        inner.pulled_before_call = pulled[0]
        await inner(scope, receive_, send)

    status: list[int] = []

    async def send(message):  # type: ignore[no-untyped-def]
        if message["type"] == "http.response.start":
            status.append(message["status"])

    scope = {"type": "http", "method": method, "path": path, "root_path": "/admin",
             "headers": [(b"host", b"testserver")] + [(k.lower().encode(), v.encode()) for k, v in headers.items()],
             "session": {"csrf": session_token}}
    asyncio.run(CSRFMiddleware(app)(scope, receive, send))
    return status[0], inner, pulled


def _multipart(fields: list[tuple[str, bytes]], boundary: str = "XyZ") -> bytes:
    out = b""
    for name, value in fields:
        out += (f"--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n").encode() + value + b"\r\n"
    return out + f"--{boundary}--\r\n".encode()


MULTIPART = {"Origin": "http://testserver", "Content-Type": "multipart/form-data; boundary=XyZ"}


def test_large_multipart_body_with_the_token_first_streams_through_unbuffered():
    head = _multipart([("csrf_token", TOKEN.encode())])[: -len("--XyZ--\r\n")]
    file_part = (b'--XyZ\r\nContent-Disposition: form-data; name="file"; filename="v.mp4"\r\n'
                 b"Content-Type: video/mp4\r\n\r\n")
    chunk = 64 * 1024
    payload = [b"\0" * chunk for _ in range(5 * 1024 * 1024 // chunk)]
    chunks = [head + file_part, *payload, b"\r\n--XyZ--\r\n"]
    status, inner, pulled = _run("POST", chunks, headers=MULTIPART)
    assert status == 200
    assert inner.pulled_before_call == 1  # only the first chunk was read before the check
    assert len(inner.chunks) == len(chunks)  # every chunk reached the app as its own message
    assert b"".join(inner.chunks) == b"".join(chunks)


def test_multipart_without_the_token_first_is_refused_after_a_bounded_scan():
    body = _multipart([("file", b"\0" * (2 * MAX_SCAN)), ("csrf_token", TOKEN.encode())])
    chunks = [body[i:i + 16 * 1024] for i in range(0, len(body), 16 * 1024)]
    status, inner, pulled = _run("POST", chunks, headers=MULTIPART)
    assert status == 403
    assert not inner.called
    assert pulled[0] * 16 * 1024 <= MAX_SCAN + 16 * 1024


def test_urlencoded_token_cut_by_a_chunk_boundary_is_still_read_whole():
    body = f"csrf_token={TOKEN}&reason=x".encode()
    status, inner, _ = _run("POST", [body[:15], body[15:]],
                            headers={"Origin": "http://testserver",
                                     "Content-Type": "application/x-www-form-urlencoded"})
    assert status == 200
    assert b"".join(inner.chunks) == body


@pytest.mark.parametrize("headers,expected", [
    ({"Origin": "http://testserver"}, 403),
    ({"Origin": "http://testserver", "X-CSRF-Token": "wrong"}, 403),
    ({"Origin": "https://evil.example", "X-CSRF-Token": TOKEN}, 403),
    ({"Origin": "null", "X-CSRF-Token": TOKEN}, 403),
    ({"Origin": "http://testserver", "X-CSRF-Token": TOKEN}, 200),
])
def test_delete_needs_the_token_header_and_same_origin(headers, expected):
    status, inner, _ = _run("DELETE", [b""], headers=headers, path="/admin/course/delete")
    assert status == expected
    assert inner.called is (expected == 200)


LOOK_ALIKES = [
    {"Origin": "http://testserver.evil.example"},
    {"Origin": "http://evil-testserver"},
    {"Origin": "http://testserver@evil.example"},
    {"Origin": "http://evil.example@testserver"},
    {"Origin": "https://testserver"},  # scheme mismatch
    {"Origin": "ws://testserver"},
    {"Origin": "http://testserver:8080"},  # port mismatch
    {"Origin": "http://testserver:notaport"},
    {"Origin": "http://testserver."},
    {"Origin": "testserver"},
    {"Origin": "//testserver"},
    {"Referer": "http://testserver.evil.example/admin/"},
    {"Referer": "https://evil.example/http://testserver/admin/"},
    {"Referer": "https://testserver/admin/user/list"},
]


@pytest.mark.parametrize("source", LOOK_ALIKES, ids=lambda h: next(iter(h.values())))
def test_look_alike_origins_are_refused(source):
    status, inner, _ = _run("DELETE", [b""], headers={**source, "X-CSRF-Token": TOKEN}, path="/admin/course/delete")
    assert status == 403
    assert not inner.called


@pytest.mark.parametrize("source", [{"Origin": "http://testserver"}, {"Origin": "http://TestServer:80"},
                                    {"Referer": "http://testserver/admin/user/list?x=1"}],
                         ids=lambda h: next(iter(h.values())))
def test_the_exact_origin_is_accepted_default_port_included(source):
    status, inner, _ = _run("DELETE", [b""], headers={**source, "X-CSRF-Token": TOKEN}, path="/admin/course/delete")
    assert status == 200 and inner.called


def test_look_alike_origin_on_the_real_back_office_changes_nothing(admin_client, make, session):
    target = make.student(full_name="Было")
    token = csrf_of(admin_client)
    for origin in ("http://testserver.evil.example", "https://testserver", "http://testserver:8080"):
        r = admin_client.post("/admin/user/form-action/block", data=block_form(target.id, token),
                              headers={"Origin": origin}, follow_redirects=False)
        assert r.status_code == 403, origin
    _unchanged(session, target)


def test_only_the_login_route_itself_is_exempt_from_the_token():
    form = {"Origin": "http://testserver", "Content-Type": "application/x-www-form-urlencoded"}
    assert _run("POST", [b"username=a&password=b"], headers=form, path="/admin/login")[0] == 200
    assert _run("POST", [b"x=1"], headers=form, path="/admin/user/action/login")[0] == 403
    assert _run("POST", [b"x=1"], headers={**form, "Origin": "https://evil.example"},
                path="/admin/login")[0] == 403


def test_safe_methods_pass_and_get_a_session_token():
    status, inner, _ = _run("GET", [b""], headers={}, session_token="")
    assert status == 200 and inner.called
