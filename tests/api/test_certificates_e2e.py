"""The design document's Test 4, second half, end to end: real HTTP (uvicorn on loopback) and a real SMTP
server. The admin issues a generated certificate while SMTP is down; the student is notified at once; the
email goes out with the PDF when SMTP is back; `my` lists it, the owner downloads it, another student
cannot, and the verification URL (the one in the PDF's QR code) confirms it."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pypdfium2 as pdfium

from core.clock import utcnow
from jobs.email_outbox import send_outbox
from tests.factories import token_for
from tests.net import free_port, serve_in_thread
from tests.smtp import SmtpSink


def test_issue_generated_certificate_end_to_end(app, make, db, settings):
    admin = make.admin()
    club = make.club(title="Юные инженеры")
    req = make.certificate_request(make.student(full_name="Дана Ермекқызы"), kruzhok_id=club.id)
    owner, stranger = token_for(app, req.user), token_for(app, make.student())
    admin_h = token_for(app, admin)
    storage = app.state.storage

    with serve_in_thread(app) as base, httpx.Client(base_url=base, timeout=30) as http:
        queue = http.get("/api/certificates/pending", headers=admin_h).json()["items"]
        assert [i["id"] for i in queue if i["id"] == req.id] == [req.id]

        r = http.post(f"/api/certificates/{req.id}/issue", headers=admin_h,
                      files={"generate": (None, "true"), "notes": (None, "Выдан на выпускном")})
        assert r.status_code == 200, r.text
        issued = r.json()
        assert issued["status"] == "SENT"

        notes = http.get("/api/notifications", headers=owner).json()["items"]
        assert notes[0]["type"] == "CERTIFICATE_ISSUED" and "100 XP" in notes[0]["message"]

        # SMTP is down at issue time: nothing is lost, the email waits in the outbox.
        down = settings.model_copy(update={"smtp_url": f"smtp://127.0.0.1:{free_port()}"})
        assert send_outbox(db, settings=down, now=utcnow(), storage=storage) == 0
        sink = SmtpSink().start()
        try:
            up = settings.model_copy(update={"smtp_url": sink.url})
            assert send_outbox(db, settings=up, now=utcnow() + timedelta(hours=2), storage=storage) == 1
        finally:
            sink.stop()
        [mail] = [m for m in sink.messages if m["To"] == req.user.email]
        assert mail["Subject"] == "S7 Robotics: ваш сертификат"
        [attachment] = list(mail.iter_attachments())
        assert attachment.get_content_type() == "application/pdf"
        assert attachment.get_filename() == f"certificate-{issued['verificationCode']}.pdf"
        emailed_pdf = attachment.get_content()
        assert issued["verificationUrl"] in mail.get_body(preferencelist=("plain",)).get_content()

        [mine] = http.get("/api/certificates/my", headers=owner).json()["items"]
        assert (mine["status"], mine["subject"]) == ("SENT", "Кружок «Юные инженеры»")
        download = http.get(mine["downloadUrl"], headers=owner)
        assert download.status_code == 200 and download.content == emailed_pdf
        assert http.get(mine["downloadUrl"], headers=stranger).status_code == 404

        text = pdfium.PdfDocument(download.content)[0].get_textpage().get_text_range()
        assert "Дана Ермекқызы" in text and "Юные инженеры" in text
        verify_path = mine["verificationUrl"].split("://", 1)[1].split("/", 1)[1]
        assert mine["verificationUrl"].replace(" ", "") in text.replace("\r", "").replace("\n", "")
        v = http.get("/" + verify_path).json()
        assert (v["valid"], v["studentName"], v["subject"]) == (True, "Дана Ермекқызы", "Кружок «Юные инженеры»")
        assert set(v) == {"valid", "status", "studentName", "achievement", "subject", "issuedAt", "revokedAt"}
