"""All models, importable from one place (Alembic and the services use this)."""

from .base import Base, new_id
from .bytesize import ByteSizeItem
from .certificates import CertificateRequest
from .clubs import ClassEnrollment, ClubClass, ClubMentor, Kruzhok
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
    QuestionAnswer,
)
from .media import MediaObject
from .messaging import AuditEvent, EmailOutbox, Notification, RateLimitHit
from .programs import Program, ProgramLesson, Quiz, QuizQuestion
from .schedule import Attendance, ClubQuizAssignment, LessonSession
from .subscriptions import Subscription, SubscriptionPlan
from .users import User
from .xp import XpEvent

__all__ = [
    "Attendance", "AuditEvent", "Base", "ByteSizeItem", "CertificateRequest", "ClassEnrollment",
    "ClubClass", "ClubMentor", "ClubQuizAssignment", "Course", "CourseEnrollment", "DailyMission",
    "EmailOutbox", "Kruzhok", "Lesson", "LessonCompletion", "LessonQuestion", "LessonSession",
    "MediaObject", "MissionCompletion", "Module", "Notification", "Program", "ProgramLesson",
    "Purchase", "QuestionAnswer", "Quiz", "QuizQuestion", "RateLimitHit", "Subscription",
    "SubscriptionPlan", "User", "XpEvent", "new_id",
]
