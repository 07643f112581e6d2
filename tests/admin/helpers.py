"""Helpers for back-office tests: log in through /admin/login and read the session's CSRF token."""

from __future__ import annotations

import re
import uuid
from typing import Any

from starlette.testclient import TestClient

from core.models import User
from tests.factories import PASSWORD

ORIGIN = {"Origin": "http://testserver"}
EVIL = {"Origin": "https://evil.example"}


def login(client: TestClient, user: User, password: str = PASSWORD) -> Any:
    """POST the login form like a browser on our own origin; returns the response (302 on success)."""
    return client.post("/admin/login", data={"username": user.email, "password": password},
                       headers=ORIGIN, follow_redirects=False)


def csrf_of(client: TestClient) -> str:
    """The CSRF token of the client's admin session, as the pages publish it in a <meta> tag."""
    page = client.get("/admin/")
    match = re.search(r'<meta name="csrf-token" content="([^"]+)"', page.text)
    assert match, "no csrf-token meta tag on /admin/"
    return match.group(1)


def block_form(pk: str, token: str | None, reason: str = "Спам в комментариях") -> dict[str, str]:
    """The body the block modal posts (csrf_token first, as our script puts it)."""
    data = {"csrf_token": token} if token is not None else {}
    return {**data, "pks": pk, "reason": reason}


def model_views() -> list[type]:
    """The registered back-office model views (custom pages like the media doctor excluded)."""
    from admin_app.setup import VIEWS

    return [v for v in VIEWS if getattr(v, "is_model", False)]


def fill_every_view(db: Any, settings: Any, session: Any, make: Any) -> Any:
    """The demo data plus one row in the tables the demo leaves empty: every view has a row to open."""
    from core.clock import utcnow
    from core.services import audit, notifications, outbox
    from s7.seed import seed_demo

    seed_demo(db, settings=settings)
    now, student = utcnow(), make.student()
    notifications.notify(session, user_id=student.id, type="SYSTEM", title="Привет", message="Текст", now=now)
    audit.record(session, actor=make.admin(), action="user.block", entity="User", entity_id=student.id, now=now)
    outbox.enqueue_email(session, to=student.email, subject="Тема", body_text="Текст", now=now)
    make.certificate_request(student)
    session.flush()
    return session


def multipart(parts: list[tuple[str, str | tuple[str, bytes, str]]]) -> tuple[bytes, dict[str, str]]:
    """A raw multipart body in the given order (csrf_token first), as a browser sends it."""
    boundary = f"----s7{uuid.uuid4().hex}"
    chunks: list[bytes] = []
    for name, value in parts:
        chunks.append(f"--{boundary}\r\n".encode())
        if isinstance(value, tuple):
            filename, data, mime = value
            chunks.append(f'Content-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                          f"Content-Type: {mime}\r\n\r\n".encode() + data + b"\r\n")
        else:
            chunks.append(f'Content-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
                          + value.encode() + b"\r\n")
    chunks.append(f"--{boundary}--\r\n".encode())
    return b"".join(chunks), {**ORIGIN, "Content-Type": f"multipart/form-data; boundary={boundary}"}
