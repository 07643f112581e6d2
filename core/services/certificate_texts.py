"""Russian texts of the certificate domain: notifications, emails, error messages, PDF wording."""

from __future__ import annotations

from core.models import CertificateRequest

NOT_FOUND = "Запрос на сертификат не найден"
CERT_NOT_FOUND = "Сертификат не найден"
NOT_PENDING = "Запрос уже обработан: выдать или отклонить можно только ожидающий запрос"
NOT_SENT = "Отозвать можно только выданный сертификат"
NOT_REISSUABLE = "Перевыпустить можно только выданный или отозванный сертификат"
ONE_SOURCE = "Выберите один способ: загрузить PDF, указать ссылку или сгенерировать сертификат"
NOT_PDF = "Файл сертификата должен быть в формате PDF"
EMPTY_FILE = "Файл пустой"
BAD_URL = "Ссылка на сертификат должна начинаться с http:// или https:// и быть не длиннее 500 символов"
REISSUED_REASON = "Сертификат перевыпущен"

MY_LINK = "/profile/certificates"
SIGNATURE = "\n\nКоманда S7 Robotics"


def achievement(req: CertificateRequest) -> str:
    return f"за достижение {req.threshold_xp} XP на платформе S7 Robotics"


def title(req: CertificateRequest) -> str:
    return f"Сертификат за {req.threshold_xp} XP"


def issued_message(req: CertificateRequest) -> str:
    return (f"Поздравляем! Вам выдан сертификат {achievement(req)}. "
            "Скачать его можно в профиле, в разделе «Мои сертификаты».")


def denied_message(reason: str) -> str:
    return f"Запрос на сертификат отклонен. Причина: {reason}"


def revoked_message(req: CertificateRequest, reason: str) -> str:
    return f"Сертификат {achievement(req)} отозван. Причина: {reason}"


def issued_email(*, name: str, req: CertificateRequest, verify_url: str, link: str | None) -> tuple[str, str]:
    """(subject, body); `link` is given when the certificate is an external URL (nothing to attach)."""
    where = f"Скачать сертификат: {link}" if link else "Сертификат — во вложении к этому письму."
    body = (f"Здравствуйте, {name}!\n\n{issued_message(req)}\n{where}\n"
            f"Проверить подлинность: {verify_url}{SIGNATURE}")
    return "S7 Robotics: ваш сертификат", body


def denied_email(*, name: str, reason: str) -> tuple[str, str]:
    return "S7 Robotics: запрос на сертификат отклонен", f"Здравствуйте, {name}!\n\n{denied_message(reason)}{SIGNATURE}"


def revoked_email(*, name: str, req: CertificateRequest, reason: str) -> tuple[str, str]:
    return ("S7 Robotics: сертификат отозван",
            f"Здравствуйте, {name}!\n\n{revoked_message(req, reason)}{SIGNATURE}")
