"""Password rules, the same for every door (register, change-password, `s7 create-admin`, the
back-office): 8–128 characters, not one of the most common passwords, not the email itself.
A password is never altered (no trimming): what the user typed is what is hashed."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from core.errors import field_error

MIN_LENGTH, MAX_LENGTH = 8, 128
COMMON_FILE = Path(__file__).resolve().parent.parent / "data" / "common_passwords.txt"


@cache
def common_passwords() -> frozenset[str]:
    lines = COMMON_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line.lower() for line in lines if line and not line.startswith("#"))


def check_password(password: str, *, email: str | None, field: str = "password") -> None:
    """Raise `Invalid` (about `field`) when the password breaks a rule."""
    if not isinstance(password, str) or len(password) < MIN_LENGTH:
        raise field_error(field, f"Пароль должен содержать не менее {MIN_LENGTH} символов")
    if len(password) > MAX_LENGTH:
        raise field_error(field, f"Пароль слишком длинный (не более {MAX_LENGTH} символов)")
    if password.lower() in common_passwords():
        raise field_error(field, "Этот пароль слишком распространён и легко подбирается. Придумайте другой.")
    if email and password.strip().lower() == email.strip().lower():
        raise field_error(field, "Пароль не должен совпадать с email")
