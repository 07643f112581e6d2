"""SMTP delivery from an `SMTP_URL` (smtp://user:pass@host:port, smtps://…, ?starttls=1)."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage
from urllib.parse import parse_qs, unquote, urlsplit


def build_message(*, sender: str, to: str, subject: str, text: str, html: str | None,
                  attachment: tuple[str, bytes, str] | None = None) -> EmailMessage:
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = sender, to, subject
    msg.set_content(text)
    if html:
        msg.add_alternative(html, subtype="html")
    if attachment:
        name, data, content_type = attachment
        maintype, _, subtype = content_type.partition("/")
        msg.add_attachment(data, maintype=maintype, subtype=subtype or "octet-stream", filename=name)
    return msg


def send(smtp_url: str, message: EmailMessage, *, timeout: float = 20) -> None:
    parts = urlsplit(smtp_url)
    options = parse_qs(parts.query)
    host, port = parts.hostname or "localhost", parts.port
    if parts.scheme == "smtps":
        client: smtplib.SMTP = smtplib.SMTP_SSL(host, port or 465, timeout=timeout)
    else:
        client = smtplib.SMTP(host, port or 25, timeout=timeout)
    with client:
        if options.get("starttls", ["0"])[0] in ("1", "true"):
            client.starttls()
        if parts.username:
            client.login(unquote(parts.username), unquote(parts.password or ""))
        client.send_message(message)
