"""Statuses, roles and types are StrEnums; the database CHECK constraints list exactly their values."""

import re

import pytest
from sqlalchemy import CheckConstraint, inspect

from core.models import (
    AttendanceStatus,
    Base,
    CertificateSource,
    CertificateStatus,
    EmailStatus,
    EnrollmentStatus,
    InvitationKind,
    InvitationStatus,
    PaymentKind,
    PlanType,
    PurchaseStatus,
    QuestionType,
    QuizAssignmentStatus,
    Role,
    SessionStatus,
    StatementLineStatus,
    SubscriptionStatus,
)

CHECKED = [
    ("users", "ck_users_role", Role),
    ("subscriptions", "ck_subscriptions_status", SubscriptionStatus),
    ("subscriptions", "ck_subscriptions_type", PlanType),
    ("course_purchases", "ck_course_purchases_status", PurchaseStatus),
    ("certificate_requests", "ck_certificate_requests_status", CertificateStatus),
    ("certificates", "ck_certificates_source", CertificateSource),
    ("class_enrollments", "ck_class_enrollments_status", EnrollmentStatus),
    ("lesson_sessions", "ck_lesson_sessions_status", SessionStatus),
    ("attendance", "ck_attendance_status", AttendanceStatus),
    ("club_quiz_assignments", "ck_club_quiz_assignments_status", QuizAssignmentStatus),
    ("email_outbox", "ck_email_outbox_status", EmailStatus),
    ("quiz_questions", "ck_quiz_questions_type", QuestionType),
    ("club_invitations", "ck_club_invitations_kind", InvitationKind),
    ("club_invitations", "ck_club_invitations_status", InvitationStatus),
    ("payment_codes", "ck_payment_codes_kind", PaymentKind),
    ("bank_statement_lines", "ck_bank_statement_lines_status", StatementLineStatus),
    ("bank_statement_lines", "ck_bank_statement_lines_request_kind", PaymentKind),
]


@pytest.mark.parametrize(("table", "name", "enum"), CHECKED, ids=[c[1] for c in CHECKED])
def test_migrated_check_constraint_lists_exactly_the_enum_values(engine, table, name, enum):
    # compare_metadata (tests/test_migrations.py) does not compare CHECK constraints: this does.
    checks = {c["name"]: c["sqltext"] for c in inspect(engine).get_check_constraints(table)}
    assert name in checks, f"{table} has no CHECK {name}: {sorted(checks)}"
    assert set(re.findall(r"'([^']*)'", checks[name])) == {m.value for m in enum}


def test_every_enum_check_constraint_is_listed_here():
    built = {(c.table.name, c.name) for table in Base.metadata.tables.values() for c in table.constraints
             if isinstance(c, CheckConstraint) and "enum" in c.info}
    assert built == {(t, name) for t, name, _ in CHECKED}


@pytest.mark.parametrize("enum", sorted({c[2] for c in CHECKED}, key=lambda e: e.__name__))
def test_enum_members_are_their_stored_strings(enum):
    for member in enum:
        assert isinstance(member, str) and f"{member}" == member.value
