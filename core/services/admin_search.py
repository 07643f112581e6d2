"""The back-office search box: one text finds a user (email), a payment (sender code), a class (join
code), a certificate (verification code) or a media URL (the media doctor checks it). Every lookup is an
exact match on a unique or indexed column, at most LIMIT rows each: bounded whatever the data size."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.models import Certificate, ClubClass, Purchase, Subscription, User
from core.services.permissions import require_staff

LIMIT = 10
MAX_QUERY = 500


@dataclass(frozen=True)
class Hit:
    kind: str  # "user" | "subscription" | "purchase" | "class" | "certificate" | "media"
    label: str  # Russian, what was found
    identity: str  # the back-office view (or page) it opens
    pk: str | None = None


def search(session: Session, text: str, *, actor: User | None) -> list[Hit]:
    require_staff(actor)
    q = (text or "").strip()[:MAX_QUERY]
    if not q:
        return []
    hits: list[Hit] = []
    if "/" in q:  # a media URL: the media doctor's check answers it
        hits.append(Hit("media", f"Проверка ссылки в диагностике медиа: {q}", "media-doctor"))
    if "@" in q:
        for user in session.scalars(select(User).where(User.email == q.lower()).limit(LIMIT)):
            hits.append(Hit("user", f"Пользователь {user.full_name} <{user.email}>", "user", user.id))
    for sub in session.scalars(select(Subscription).where(Subscription.payment_comment == q).limit(LIMIT)):
        hits.append(Hit("subscription", f"Подписка, код отправителя {sub.payment_comment}", "subscription", sub.id))
    for purchase in session.scalars(select(Purchase).where(Purchase.sender_code == q).limit(LIMIT)):
        hits.append(Hit("purchase", f"Оплата курса, код отправителя {purchase.sender_code}", "purchase", purchase.id))
    if len(q) == 6:
        for klass in session.scalars(select(ClubClass).where(ClubClass.join_code == q).limit(LIMIT)):
            hits.append(Hit("class", f"Класс «{klass.name}», код {klass.join_code}", "club-class", klass.id))
    for cert in session.scalars(select(Certificate).where(Certificate.verification_code == q).limit(LIMIT)):
        hits.append(Hit("certificate", f"Сертификат {cert.student_name}, код {cert.verification_code}",
                        "certificate-request", cert.request_id))
    return hits
