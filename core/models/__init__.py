"""All models, importable from one place (Alembic and the services use this)."""

from .attendance_extras import AbsenceAlert, SessionCheckin
from .base import Base, new_id
from .bytesize import ByteSizeItem
from .cache import CacheVersion
from .certificates import Certificate, CertificateRequest, CertificateSource, CertificateStatus
from .clubs import ClassEnrollment, ClassMembershipPeriod, ClubClass, ClubMentor, EnrollmentStatus, Kruzhok
from .courses import (
    Course,
    CourseEnrollment,
    DailyMission,
    Lesson,
    LessonCompletion,
    LessonQuestion,
    MissionCompletion,
    Module,
    Purchase,
    PurchaseStatus,
    QuestionAnswer,
)
from .invitations import Invitation, InvitationKind, InvitationStatus
from .media import MediaObject, MediaScanResult
from .messaging import (
    AuditAction,
    AuditEvent,
    EmailOutbox,
    EmailStatus,
    Notification,
    NotificationType,
    RateLimitHit,
)
from .payments import PaymentCode, PaymentKind
from .programs import MaterialKind, Program, ProgramLesson, QuestionType, Quiz, QuizQuestion
from .schedule import (
    Attendance,
    AttendanceStatus,
    ClubQuizAnswer,
    ClubQuizAssignment,
    LessonSession,
    QuizAssignmentStatus,
    SessionStatus,
)
from .statements import BankStatement, BankStatementLine, StatementLineStatus
from .subscriptions import Currency, PaymentMethod, PlanType, Subscription, SubscriptionPlan, SubscriptionStatus
from .users import AdminSession, Role, User
from .xp import XpEvent, XpSource

__all__ = [
    # enums (stored as their string values)
    "AttendanceStatus", "AuditAction", "CertificateSource", "CertificateStatus", "Currency", "EmailStatus",
    "EnrollmentStatus", "MaterialKind", "NotificationType", "PaymentMethod", "PlanType", "PurchaseStatus",
    "QuestionType", "QuizAssignmentStatus", "Role", "SessionStatus", "SubscriptionStatus", "XpSource",
    "InvitationKind", "InvitationStatus", "StatementLineStatus",
    # tables
    "AbsenceAlert", "AdminSession", "BankStatement", "BankStatementLine", "CacheVersion", "Invitation",
    "SessionCheckin",
    "Attendance", "AuditEvent", "Base", "ByteSizeItem", "Certificate", "CertificateRequest", "ClassEnrollment",
    "ClassMembershipPeriod",
    "ClubClass", "ClubMentor", "ClubQuizAnswer", "ClubQuizAssignment", "Course", "CourseEnrollment", "DailyMission",
    "EmailOutbox", "Kruzhok", "Lesson", "LessonCompletion", "LessonQuestion", "LessonSession",
    "MediaObject", "MediaScanResult", "MissionCompletion", "Module", "Notification", "PaymentCode", "PaymentKind",
    "Program",
    "ProgramLesson",
    "Purchase", "QuestionAnswer", "Quiz", "QuizQuestion", "RateLimitHit", "Subscription",
    "SubscriptionPlan", "User", "XpEvent", "new_id",
]
