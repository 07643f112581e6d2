"""Notifications, the email outbox, the audit log and database-backed rate-limit hits."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, CreatedMixin, IdMixin, UTCDateTime, _utcnow, check_in, fk


class NotificationType(StrEnum):
    SUBSCRIPTION_REQUEST = "SUBSCRIPTION_REQUEST"  # to admins: a new request to verify
    SUBSCRIPTION_APPROVED = "SUBSCRIPTION_APPROVED"
    SUBSCRIPTION_REJECTED = "SUBSCRIPTION_REJECTED"
    SUBSCRIPTION_EXPIRING = "SUBSCRIPTION_EXPIRING"
    SUBSCRIPTION_EXPIRED = "SUBSCRIPTION_EXPIRED"
    CLUB_MENTOR_ASSIGNED = "CLUB_MENTOR_ASSIGNED"
    CLUB_JOINED = "CLUB_JOINED"
    CLUB_INVITATION = "CLUB_INVITATION"  # an invitation to a class or to mentor a club (accept/decline)
    INVITATION_ANSWERED = "INVITATION_ANSWERED"  # to the club owner: accepted or declined
    LOGIN_ATTACK = "LOGIN_ATTACK"  # to the owner and the admins: many failed logins on an account
    ATTENDANCE_MARKED = "ATTENDANCE_MARKED"
    ABSENCE_STREAK = "ABSENCE_STREAK"  # to the owner and mentors: a student missed 3 sessions in a row
    CERTIFICATE_REQUEST = "CERTIFICATE_REQUEST"  # to admins: a user crossed an XP threshold
    XP_ADJUSTED = "XP_ADJUSTED"  # an admin granted or removed XP
    PURCHASE_REQUEST = "PURCHASE_REQUEST"  # to admins: a course payment to verify
    PURCHASE_APPROVED = "PURCHASE_APPROVED"
    PURCHASE_REJECTED = "PURCHASE_REJECTED"
    CERTIFICATE_ISSUED = "CERTIFICATE_ISSUED"
    CERTIFICATE_DENIED = "CERTIFICATE_DENIED"
    CERTIFICATE_REVOKED = "CERTIFICATE_REVOKED"
    QUIZ_ASSIGNED = "QUIZ_ASSIGNED"  # to a student: a club quiz to take (after attendance or sent by hand)
    QUIZ_GRADED = "QUIZ_GRADED"  # to a student: the mentor graded the text answers


class EmailStatus(StrEnum):
    PENDING = "PENDING"
    SENT = "SENT"
    SENT_TO_LOG = "SENT_TO_LOG"  # no SMTP configured: written to the log instead
    FAILED = "FAILED"  # gave up after the last retry


class AuditAction(StrEnum):
    """What an audit row records: `<entity>.<verb>`. Back-office saves without a service of their
    own still write `<view identity>.create|update|delete` (admin_app/base_view.py)."""

    USER_EDIT = "user.edit"
    USER_BLOCK = "user.block"
    USER_UNBLOCK = "user.unblock"
    USER_CHANGE_PASSWORD = "user.change_password"
    AUTH_LOGIN_ATTACK = "auth.login_attack"
    PLAN_UPDATE = "plan.update"
    SUBSCRIPTION_REQUEST = "subscription.request"
    SUBSCRIPTION_APPROVE = "subscription.approve"
    SUBSCRIPTION_REJECT = "subscription.reject"
    CLUB_CREATE = "club.create"
    CLUB_ADMIN_EDIT = "club.admin_edit"
    CLUB_MENTOR_ASSIGN = "club.mentor_assign"
    CLASS_CREATE = "class.create"
    CLASS_ADMIN_EDIT = "class.admin_edit"
    CLASS_REGENERATE_CODE = "class.regenerate_code"
    CLASS_JOIN = "class.join"
    CLASS_ADD_STUDENT = "class.add_student"
    CLASS_INVITE_STUDENT = "class.invite_student"
    CLUB_INVITE_MENTOR = "club.invite_mentor"
    INVITATION_ACCEPT = "invitation.accept"
    INVITATION_DECLINE = "invitation.decline"
    CLASS_REMOVE_STUDENT = "class.remove_student"
    SESSION_CREATE = "session.create"
    SESSION_UPDATE = "session.update"
    SESSION_CANCEL = "session.cancel"
    ATTENDANCE_SAVE = "attendance.save"
    ATTENDANCE_CHECKIN = "attendance.checkin"  # a student marked present by the session's check-in code
    CHECKIN_OPEN = "checkin.open"
    CHECKIN_CLOSE = "checkin.close"
    COURSE_CREATE = "course.create"
    COURSE_UPDATE = "course.update"
    COURSE_ENROLL = "course.enroll"
    MODULE_CREATE = "module.create"
    MODULE_UPDATE = "module.update"
    LESSON_CREATE = "lesson.create"
    LESSON_UPDATE = "lesson.update"
    QUESTION_CREATE = "question.create"
    BYTESIZE_CREATE = "bytesize.create"
    BYTESIZE_UPDATE = "bytesize.update"
    BYTESIZE_PUBLISH = "bytesize.publish"
    BYTESIZE_UNPUBLISH = "bytesize.unpublish"
    PROGRAM_CREATE = "program.create"
    PROGRAM_UPDATE = "program.update"
    PROGRAM_LESSON_CREATE = "program_lesson.create"
    PROGRAM_LESSON_UPDATE = "program_lesson.update"
    PROGRAM_MATERIAL_UPLOAD = "program_lesson.material_upload"
    QUIZ_CREATE = "quiz.create"
    QUIZ_UPDATE = "quiz.update"
    QUIZ_QUESTION_CREATE = "quiz_question.create"
    QUIZ_QUESTION_UPDATE = "quiz_question.update"
    QUIZ_ASSIGN = "club_quiz.assign"
    QUIZ_SUBMIT = "club_quiz.submit"
    QUIZ_GRADE = "club_quiz.grade"
    MEDIA_FIX_NON_CANONICAL = "media.fix_non_canonical"
    MEDIA_PURGE_ORPHANS = "media.purge_orphans"
    MEDIA_SCAN = "media.scan"
    PLAY_CHECK = "play.check"  # «Почему не воспроизводится?»: read-only, but who looked at whom is recorded
    XP_ADJUST = "xp.adjust"
    MISSION_CREATE = "mission.create"
    MISSION_UPDATE = "mission.update"
    PURCHASE_REQUEST = "purchase.request"
    PURCHASE_APPROVE = "purchase.approve"
    PURCHASE_REJECT = "purchase.reject"
    STATEMENT_UPLOAD = "statement.upload"
    STATEMENT_MATCH = "statement.match"
    STATEMENT_APPROVE_ALL = "statement.approve_all"
    CERTIFICATE_ISSUE = "certificate.issue"
    CERTIFICATE_REISSUE = "certificate.reissue"
    CERTIFICATE_DENY = "certificate.deny"
    CERTIFICATE_REVOKE = "certificate.revoke"


class Notification(IdMixin, CreatedMixin, Base):
    __tablename__ = "notifications"
    __table_args__ = (
        Index("ix_notifications_user_created", "user_id", "created_at"),
        Index("ix_notifications_user_unread", "user_id", "read_at"),
    )

    # A user's inbox is pure data of the user: the only rows that go with them (users are blocked, not deleted).
    user_id: Mapped[str] = fk("users.id", index=False)
    type: Mapped[str] = mapped_column(String(40), nullable=False)
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    message: Mapped[str] = mapped_column(Text, nullable=False)
    link: Mapped[str | None] = mapped_column(String(300))
    meta: Mapped[dict[str, Any] | None] = mapped_column("metadata")
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class EmailOutbox(IdMixin, CreatedMixin, Base):
    __tablename__ = "email_outbox"
    __table_args__ = (
        check_in("status", EmailStatus, name="status"),
        Index("ix_email_outbox_status_next", "status", "next_attempt_at"),
    )

    to_addr: Mapped[str] = mapped_column(String(254), nullable=False)
    subject: Mapped[str] = mapped_column(String(300), nullable=False)
    body_text: Mapped[str] = mapped_column(Text, nullable=False)
    body_html: Mapped[str | None] = mapped_column(Text)
    # Private storage key of one attachment (e.g. a certificate PDF) and its file name.
    attachment_key: Mapped[str | None] = mapped_column(String(80))
    attachment_name: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16), nullable=False, default=EmailStatus.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=_utcnow)
    last_error: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class AuditEvent(IdMixin, Base):
    __tablename__ = "audit_events"
    __table_args__ = (
        Index("ix_audit_events_at", "at"),
        Index("ix_audit_events_entity", "entity", "entity_id"),
    )

    actor_id: Mapped[str | None] = fk("users.id", nullable=True)
    action: Mapped[str] = mapped_column(String(80), nullable=False)
    entity: Mapped[str] = mapped_column(String(80), nullable=False)
    entity_id: Mapped[str | None] = mapped_column(String(80))
    data: Mapped[dict[str, Any] | None] = mapped_column()
    at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=_utcnow)


class RateLimitHit(IdMixin, Base):
    __tablename__ = "rate_limit_hits"
    __table_args__ = (Index("ix_rate_limit_hits_bucket_at", "bucket", "at"),)

    bucket: Mapped[str] = mapped_column(String(300), nullable=False)
    at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=_utcnow)
