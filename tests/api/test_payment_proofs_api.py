"""Payment screenshots (issue 7 item 8): a user uploads an image (sniffed, size-limited), it is stored
privately and served only to its owner and admins; `paymentProofUrl` takes only the caller's own upload."""

from __future__ import annotations

import os
import secrets

import pytest
from sqlalchemy import func, select

from core.clock import utcnow
from core.models import MediaObject, Subscription
from core.services import media_doctor, ratelimit
from tests import factories_media as fm
from tests.admin.helpers import login
from tests.factories import token_for

PROOF = "/api/payments/proof"


def webp_bytes() -> bytes:
    payload = b"VP8 " + (10).to_bytes(4, "little") + bytes(10)
    return b"RIFF" + (4 + len(payload)).to_bytes(4, "little") + b"WEBP" + payload


def _upload(client, app, user, data: bytes, name: str = "shot.png", mime: str = "image/png"):  # type: ignore[no-untyped-def]
    headers = token_for(app, user) if user is not None else {}
    return client.post(PROOF, files={"file": (name, data, mime)}, headers=headers)


def _files(root) -> list[str]:  # type: ignore[no-untyped-def]
    return sorted(os.listdir(root)) if root.exists() else []


def _request(client, app, user, proof):  # type: ignore[no-untyped-def]
    return client.post("/api/subscriptions/request", headers=token_for(app, user),
                       json={"type": "ONETIME_PURCHASE", "paymentComment": f"{secrets.randbelow(10**8):08d}",
                             "paymentProofUrl": proof})


def test_a_screenshot_is_private_and_attaches_to_the_request(client, app, make, settings):  # type: ignore[no-untyped-def]
    owner, other, admin, support = make.student(), make.student(), make.admin(), make.support()
    data = fm.png_bytes()
    r = _upload(client, app, owner, data, name="kaspi-screenshot", mime="application/octet-stream")  # bytes decide
    assert r.status_code == 201, r.text
    body = r.json()
    key = body["url"].removeprefix(PROOF + "/")
    assert body["url"].startswith(PROOF + "/") and body["contentType"] == "image/png" and body["size"] == len(data)
    assert key in _files(settings.private_root) and key not in _files(settings.media_root)
    assert client.get(f"/api/media/{key}").status_code == 404  # never served as public media
    for who in (owner, admin):
        got = client.get(body["url"], headers=token_for(app, who))
        assert got.status_code == 200 and got.content == data
        assert got.headers["content-type"] == "image/png" and "no-store" in got.headers["cache-control"]
    for who in (other, support):
        got = client.get(body["url"], headers=token_for(app, who))
        assert got.status_code == 404 and got.json()["error"]["message"] == "Скриншот оплаты не найден"
    assert client.get(body["url"]).status_code == 401
    assert client.get(f"{PROOF}/..%2F..%2Fetc%2Fpasswd", headers=token_for(app, admin)).status_code == 404

    r = _request(client, app, owner, "https://s7robotics.kz" + body["url"])  # absolute form → canonical
    assert r.status_code == 201, r.text
    assert r.json()["subscription"]["paymentProofUrl"] == body["url"]
    queue = client.get("/api/admin/subscriptions/pending?limit=100", headers=token_for(app, admin)).json()
    assert next(i for i in queue["items"] if i["id"] == r.json()["subscriptionId"])["paymentProofUrl"] == body["url"]


@pytest.mark.parametrize("bad", ["someone else's", "public image", "https://evil.example/x.png", "javascript:alert(1)",
                                 f"{PROOF}/{'0' * 32}.png", f"{PROOF}/../x.png", "x" * 300])
def test_payment_proof_url_takes_only_the_callers_own_upload(client, app, make, session, bad):  # type: ignore[no-untyped-def]
    owner, other = make.student(), make.student()
    if bad == "someone else's":
        bad = _upload(client, app, other, fm.jpeg_bytes(), name="a.jpg", mime="image/jpeg").json()["url"]
    elif bad == "public image":
        bad = "/api/media/" + fm.make_media(session, app.state.storage, "image").key
    r = _request(client, app, owner, bad)
    assert r.status_code == 422, r.text
    error = r.json()["error"]
    assert error["code"] == "invalid_payment_proof"
    assert error["details"]["fields"][0]["field"] == "paymentProofUrl"
    assert error["message"].startswith("Прикрепите скриншот оплаты")
    assert session.scalar(select(func.count()).select_from(Subscription)
                          .where(Subscription.user_id == owner.id)) == 0


def test_an_admins_private_upload_is_no_proof_either(client, app, make, session):  # type: ignore[no-untyped-def]
    admin = make.admin()
    material = fm.make_media(session, app.state.storage, "document", private=True, actor=admin)
    r = _request(client, app, admin, f"{PROOF}/{material.key}")
    assert r.status_code == 422 and r.json()["error"]["code"] == "invalid_payment_proof"
    assert client.get(f"{PROOF}/{material.key}", headers=token_for(app, admin)).status_code == 404


@pytest.mark.parametrize("data,name,mime,accepted", [
    (fm.jpeg_bytes(), "x.bin", "application/octet-stream", "image/jpeg"),
    (webp_bytes(), "x.webp", "image/webp", "image/webp"),
    (fm.pdf_bytes(), "shot.png", "image/png", None),  # a PDF named like an image
    (fm.mp4_bytes(), "shot.jpg", "image/jpeg", None),
    (fm.png_bytes(), "shot.pdf", "application/pdf", None),  # the header lies about an image
    (b"GIF89a" + bytes(64), "a.gif", "image/gif", None),  # an image, but not a screenshot format
    (b"", "empty.png", "image/png", None),
])
def test_only_jpeg_png_webp_by_their_bytes(client, app, make, session, settings, data, name, mime, accepted):  # type: ignore[no-untyped-def]
    r = _upload(client, app, make.student(), data, name=name, mime=mime)
    if accepted:
        assert r.status_code == 201 and r.json()["contentType"] == accepted, r.text
        return
    assert r.status_code in (415, 422), r.text
    assert r.json()["error"]["code"] in ("unsupported_media_type", "empty_file")
    if data and r.status_code == 415 and mime != "application/pdf":
        assert r.json()["error"]["message"] == "Скриншот оплаты должен быть изображением JPEG, PNG или WebP."
    assert _files(settings.private_root) == [] and session.scalar(select(func.count()).select_from(MediaObject)) == 0


def test_size_is_limited_by_setting_before_reading(make, settings, db, session):  # type: ignore[no-untyped-def]
    from starlette.testclient import TestClient

    from s7.app import create_app

    small = create_app(settings.model_copy(update={"payment_proof_max_bytes": 4000}), db=db)
    user = make.student()
    with TestClient(small) as client:
        fits = fm.png_bytes() + bytes(3000)
        assert _upload(client, small, user, fits).status_code == 201
        too_big = fm.png_bytes() + bytes(5000)
        r = _upload(client, small, user, too_big)
        assert r.status_code == 413 and r.json()["error"]["details"]["maxBytes"] == 4000
        headers = {**token_for(small, user), "Content-Type": "multipart/form-data; boundary=b"}
        r = client.post(PROOF, content=(b"x" * 1024 for _ in range(200)), headers=headers)  # chunked, no length
        assert r.status_code == 413
    assert len(_files(settings.private_root)) == 1


def test_the_default_limit_lets_a_real_screenshot_through(client, app, make, settings):  # type: ignore[no-untyped-def]
    assert settings.payment_proof_max_bytes == 5 * 1024 * 1024
    shot = fm.png_bytes() + bytes(2 * 1024 * 1024)  # larger than MAX_BODY_BYTES (1 MB): the route raises it
    assert _upload(client, app, make.student(), shot).status_code == 201
    r = _upload(client, app, make.student(), fm.png_bytes() + bytes(5 * 1024 * 1024))
    assert r.status_code == 413


def test_uploads_are_rate_limited_per_account(client, app, make, session):  # type: ignore[no-untyped-def]
    busy, calm = make.student(), make.student()
    for _ in range(20):
        ratelimit.record(session, "payment_proof_upload", busy.id, now=utcnow())
    r = _upload(client, app, busy, fm.png_bytes())
    assert r.status_code == 429 and r.headers.get("retry-after")
    assert r.json()["error"]["message"] == "Слишком много загрузок скриншотов. Попробуйте через час."
    assert _upload(client, app, calm, fm.png_bytes()).status_code == 201
    assert _upload(client, app, None, fm.png_bytes()).status_code == 401


def test_back_office_shows_the_screenshot_to_admins_only(client, app, make, session):  # type: ignore[no-untyped-def]
    owner, admin, support = make.student(), make.admin(), make.support()
    url = _upload(client, app, owner, fm.png_bytes()).json()["url"]
    sub_id = _request(client, app, owner, url).json()["subscriptionId"]
    bare_id = _request(client, app, make.student(), None).json()["subscriptionId"]
    login(client, admin)
    page = client.get(f"/admin/subscription/details/{sub_id}").text
    assert "Скриншот оплаты" in page and f'src="../proof/{sub_id}"' in page
    got = client.get(f"/admin/subscription/proof/{sub_id}")
    assert got.status_code == 200 and got.content == fm.png_bytes() and got.headers["content-type"] == "image/png"
    assert client.get(f"/admin/subscription/proof/{bare_id}").status_code == 404
    client.cookies.clear()
    login(client, support)
    assert client.get(f"/admin/subscription/proof/{sub_id}").status_code == 404


def test_the_media_doctor_knows_payment_screenshots(client, app, make, session):  # type: ignore[no-untyped-def]
    owner, admin = make.student(), make.admin()
    url = _upload(client, app, owner, fm.png_bytes()).json()["url"]
    sub_id = _request(client, app, owner, url).json()["subscriptionId"]
    key = url.rsplit("/", 1)[-1]
    storage = app.state.storage
    report = media_doctor.scan(session, storage, actor=admin)
    [ref] = [r for r in report.rows if r.row_id == sub_id]
    assert (ref.status, ref.key, ref.canonical) == ("ok", key, url)
    assert key in media_doctor.referenced_keys(session)
    orphans = media_doctor.find_orphans(session, storage, actor=admin, now=utcnow())
    assert key not in {o.key for o in orphans.objects}
    storage.delete(key, private=True)
    [ref] = [r for r in media_doctor.scan(session, storage, actor=admin).rows if r.row_id == sub_id]
    assert ref.status == "missing_object"


def test_a_course_purchase_carries_the_screenshot_too(client, app, make, session):  # type: ignore[no-untyped-def]
    from core.models import Purchase

    buyer, other, admin = make.student(), make.student(), make.admin()
    course = make.course(is_free=False, price=8000)
    url = _upload(client, app, buyer, fm.png_bytes()).json()["url"]
    foreign = _upload(client, app, other, fm.png_bytes()).json()["url"]
    purchase_url = f"/api/courses/{course.id}/purchase"
    r = client.post(purchase_url, headers=token_for(app, buyer),
                    json={"senderCode": f"{secrets.randbelow(10**8):08d}", "paymentProofUrl": foreign})
    assert r.status_code == 422 and r.json()["error"]["code"] == "invalid_payment_proof"
    assert session.scalar(select(func.count()).select_from(Purchase).where(Purchase.user_id == buyer.id)) == 0
    r = client.post(purchase_url, headers=token_for(app, buyer),
                    json={"senderCode": f"{secrets.randbelow(10**8):08d}", "paymentProofUrl": url})
    assert r.status_code == 201, r.text
    purchase_id = r.json()["purchaseId"]
    assert r.json()["purchase"]["paymentProofUrl"] == url
    queue = client.get("/api/admin/purchases/pending?limit=100", headers=token_for(app, admin)).json()
    assert next(i for i in queue["items"] if i["id"] == purchase_id)["paymentProofUrl"] == url
    [ref] = [r for r in media_doctor.scan(session, app.state.storage, actor=admin).rows if r.row_id == purchase_id]
    assert (ref.column, ref.status) == ("course_purchases.payment_proof_url", "ok")
    login(client, admin)
    assert f'src="../proof/{purchase_id}"' in client.get(f"/admin/purchase/details/{purchase_id}").text
    got = client.get(f"/admin/purchase/proof/{purchase_id}")
    assert got.status_code == 200 and got.content == fm.png_bytes()
