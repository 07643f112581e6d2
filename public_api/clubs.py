"""Clubs: the public directory, join by code, and the owner's kruzhok routes (create, classes,
students, mentors)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import Field

from core.models import ClassEnrollment
from core.services import classes, clubs, invitations, membership
from core.services.clean import MAX_TITLE_CHARS
from core.services.pagination import Page
from public_api.http import Ctx, api
from public_api.invitations import InvitationOut
from public_api.validation import (
    ApiModel,
    Email,
    MultiLine,
    OneLine,
    OutModel,
    PageQuery,
    RequiredOneLine,
    declared,
)


class JoinIn(ApiModel):
    code: Annotated[str, declared(pattern=membership.CODE_PATTERN)] = Field(max_length=32)


class ClubIn(ApiModel):
    title: RequiredOneLine = Field(max_length=MAX_TITLE_CHARS)
    description: MultiLine | None = Field(default=None, max_length=clubs.MAX_DESCRIPTION)
    # An IANA name the server's time zone database knows (blank: the default zone).
    timezone: OneLine | None = Field(default=None, max_length=clubs.MAX_TIMEZONE)


class ClassIn(ApiModel):
    name: RequiredOneLine = Field(max_length=MAX_TITLE_CHARS)


class EmailIn(ApiModel):
    email: Email


class DirectoryItemOut(OutModel):
    id: str
    title: str
    description: str | None
    timezone: str
    owner_name: str
    member_count: int
    next_session_at: datetime | None


class DirectoryOut(OutModel):
    items: list[DirectoryItemOut]
    total: int
    limit: int
    offset: int


class ClassEnrollmentOut(OutModel):
    id: str
    class_id: str
    class_name: str
    kruzhok_id: str
    kruzhok_title: str
    student_id: str
    status: str
    joined_at: datetime
    removed_at: datetime | None


class ClubOut(OutModel):
    id: str
    title: str
    description: str | None
    timezone: str
    owner_id: str
    created_at: datetime


class ClassOut(OutModel):
    id: str
    kruzhok_id: str
    name: str
    join_code: str
    created_at: datetime


class MyClassOut(OutModel):
    id: str
    name: str
    join_code: str | None = None
    student_count: int | None = None
    max_students: int | None = None
    joined_at: datetime | None = None


class MyClubOut(OutModel):
    id: str
    title: str
    description: str | None
    timezone: str
    owner_id: str
    owner_name: str
    role: str
    classes: list[MyClassOut]


class MyClubsOut(OutModel):
    owned: list[MyClubOut]
    mentored: list[MyClubOut]
    enrolled: list[MyClubOut]


def enrollment_out(e: ClassEnrollment) -> dict:
    klass = e.club_class
    return {"id": e.id, "classId": klass.id, "className": klass.name, "kruzhokId": klass.kruzhok_id,
            "kruzhokTitle": klass.kruzhok.title, "studentId": e.student_id, "status": e.status,
            "joinedAt": e.joined_at, "removedAt": e.removed_at}


@api("/api/clubs", "GET", query=PageQuery, response=DirectoryOut, auth_mode="optional", tag="clubs")
def club_directory(ctx: Ctx, query: PageQuery) -> dict:
    """Directory of clubs: title, description, member count, next session, owner (never join codes)."""
    page = Page.of(query.limit, query.offset)
    items, total = clubs.list_directory(ctx.session, page=page, now=ctx.now)
    return {"items": items, "total": total, "limit": page.limit, "offset": page.offset}


@api("/api/clubs/join", "POST", body=JoinIn, response=ClassEnrollmentOut, status=201, tag="clubs")
def join_club(ctx: Ctx, body: JoinIn) -> dict:
    """Join a class by its 6-digit code (404 invalid_code, 409 class_full / already_member)."""
    return enrollment_out(membership.join_by_code(ctx.session, actor=ctx.actor, code=body.code, now=ctx.now,
                                                   ip=ctx.client_ip))


@api("/api/kruzhok", "POST", body=ClubIn, response=ClubOut, status=201, tag="clubs")
def create_club(ctx: Ctx, body: ClubIn) -> object:
    """Create a club (needs an active subscription with a free club slot)."""
    return clubs.create_club(ctx.session, actor=ctx.actor, title=body.title, description=body.description,
                             timezone=body.timezone, default_timezone=ctx.settings.default_timezone, now=ctx.now)


@api("/api/kruzhok/my", "GET", response=MyClubsOut, tag="clubs")
def my_clubs(ctx: Ctx) -> clubs.MyClubs:
    """Clubs the caller owns, mentors and is enrolled in (codes only for owners and mentors)."""
    return clubs.my_clubs(ctx.session, actor=ctx.actor, now=ctx.now)


@api("/api/kruzhok/{kruzhok_id}/classes", "POST", body=ClassIn, response=ClassOut, status=201, tag="clubs")
def create_class(ctx: Ctx, body: ClassIn, kruzhok_id: str) -> object:
    """Owner: create a class with its own join code (within the class limit)."""
    return classes.create_class(ctx.session, actor=ctx.actor, kruzhok_id=kruzhok_id, name=body.name, now=ctx.now)


@api("/api/kruzhok/classes/{class_id}/regenerate-code", "POST", response=ClassOut, tag="clubs")
def regenerate_code(ctx: Ctx, class_id: str) -> object:
    """Owner: a new join code for the class; the old one stops working."""
    return classes.regenerate_code(ctx.session, actor=ctx.actor, class_id=class_id, now=ctx.now)


@api("/api/kruzhok/classes/{class_id}/students", "POST", body=EmailIn, response=InvitationOut, status=202,
     tag="clubs")
def add_student(ctx: Ctx, body: EmailIn, class_id: str) -> object:
    """Owner: invite an email into the class; the person accepts or declines (the same answer whether
    or not the email is registered; an unregistered email gets it on sign-up). 403
    `subscription_required` when the owner's subscription lapsed, 403 `limit_exceeded` when the class is full."""
    return invitations.invite_student(ctx.session, actor=ctx.actor, class_id=class_id, email=body.email, now=ctx.now)


@api("/api/kruzhok/classes/{class_id}/students/{student_id}", "DELETE", response=ClassEnrollmentOut, tag="clubs")
def remove_student(ctx: Ctx, class_id: str, student_id: str) -> dict:
    """Owner: remove a student softly (history stays)."""
    return enrollment_out(membership.remove_student(ctx.session, actor=ctx.actor, class_id=class_id,
                                                    student_id=student_id, now=ctx.now))


@api("/api/kruzhok/{kruzhok_id}/mentors", "POST", body=EmailIn, response=InvitationOut, status=202, tag="clubs")
def assign_mentor(ctx: Ctx, body: EmailIn, kruzhok_id: str) -> object:
    """Owner: invite an email to mentor the club; the person accepts or declines."""
    return invitations.invite_mentor(ctx.session, actor=ctx.actor, kruzhok_id=kruzhok_id, email=body.email,
                                     now=ctx.now)


# /api/kruzhok/my must come before /api/kruzhok/{id}/… routes that could shadow it.
routes = [club_directory, join_club, create_club, my_clubs, create_class, regenerate_code, add_student, remove_student,
          assign_mentor]
