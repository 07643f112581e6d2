"""Failed-login throttling (SPEC §2), shared by the API login and the back-office login.

Failures are counted in the database (so the counts hold across processes) three ways:

- per (email, client IP): 5 per 15 min — a client guessing one account's password;
- per client IP: 30 per 15 min — a client guessing many accounts;
- per account (email): only above a much higher threshold (50 per hour) and only for clients that
  have failed on this account themselves, with a back-off that grows with the attack.

So a client with no recent failures is never refused because of failures from elsewhere: nobody
can lock an account's owner out. When an account is under attack its owner and the admins get a
notification (at most once an hour per account) and the audit log records it.

Unknown emails are counted exactly like known ones (the key is the normalised email, not the
user), so the answers do not tell which emails exist.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from core.errors import RateLimited
from core.models import AuditAction, NotificationType, User
from core.services import audit, notifications, outbox, ratelimit

PAIR, IP, ACCOUNT, ALERT = "login_pair", "login_ip", "login_account", "login_attack_alert"
BACKOFF_BASE = timedelta(seconds=30)
BACKOFF_MAX = timedelta(minutes=15)

ATTACK_TITLE = "Подозрительные попытки входа"
ATTACK_MESSAGE = ("В учётную запись {email} много раз пытались войти с неверным паролем. "
                  "Если это были не вы, смените пароль.")


def _pair_key(email_key: str, ip: str) -> str:
    return f"{email_key[:200]}|{ip[:64]}"


def backoff(account_failures: int) -> timedelta:
    """How long a client that has failed itself waits after its last failure while the account is
    over its limit: 30 s, doubling every further 10 failures, at most 15 min."""
    threshold = ratelimit.LIMITS[ACCOUNT][0]
    steps = max(0, account_failures - threshold) // 10
    delay: timedelta = BACKOFF_BASE * (2 ** min(steps, 10))
    return min(delay, BACKOFF_MAX)


def check_allowed(session: Session, *, email_key: str, ip: str, now: datetime) -> None:
    """Raise `RateLimited` if this client may not try this account now; records nothing."""
    pair = _pair_key(email_key, ip)
    ratelimit.check(session, PAIR, pair, now=now)
    ratelimit.check(session, IP, ip[:64], now=now)
    own_failures, own_last = ratelimit.window_stats(session, PAIR, pair, now=now)
    if own_failures == 0 or own_last is None:
        return  # this client has not failed on this account: others' failures never block it
    account_failures, _ = ratelimit.window_stats(session, ACCOUNT, email_key[:250], now=now)
    if account_failures >= ratelimit.LIMITS[ACCOUNT][0]:
        wait_until = own_last + backoff(account_failures)
        if wait_until > now:
            raise RateLimited(ratelimit.LIMITS[ACCOUNT][2],
                              retry_after=int((wait_until - now).total_seconds()) + 1)


def record_failure(session: Session, *, email_key: str, ip: str, user: User | None, now: datetime) -> None:
    """Count one failed login; alert the owner and the admins when the account is under attack."""
    ratelimit.record(session, PAIR, _pair_key(email_key, ip), now=now)
    ratelimit.record(session, IP, ip[:64], now=now)
    ratelimit.record(session, ACCOUNT, email_key[:250], now=now)
    if user is None:
        return
    account_failures, _ = ratelimit.window_stats(session, ACCOUNT, email_key[:250], now=now)
    if account_failures < ratelimit.LIMITS[ACCOUNT][0]:
        return
    try:
        ratelimit.hit(session, ALERT, user.id, now=now)  # locked: one alert per hour, also across processes
    except RateLimited:
        return
    _alert(session, user=user, failures=account_failures, now=now)


def _alert(session: Session, *, user: User, failures: int, now: datetime) -> None:
    message = ATTACK_MESSAGE.format(email=user.email)
    notifications.notify(session, user_id=user.id, type=NotificationType.LOGIN_ATTACK, title=ATTACK_TITLE,
                         message=message, now=now, meta={"userId": user.id, "failures": failures})
    notifications.notify_admins(session, type=NotificationType.LOGIN_ATTACK, title=ATTACK_TITLE, message=message,
                                now=now, link=f"/admin/user/details/{user.id}",
                                meta={"userId": user.id, "failures": failures})
    outbox.enqueue_email(session, to=user.email, subject=ATTACK_TITLE, body_text=message, now=now)
    audit.record(session, actor=None, action=AuditAction.AUTH_LOGIN_ATTACK, entity="User", entity_id=user.id,
                 now=now, data={"failures": failures})
