"""Invitations to a class (as a student) or to a club (as a mentor), by email, that the person
accepts or declines. An address not yet registered gets its invitations on sign-up."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Index, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, CreatedMixin, IdMixin, UTCDateTime, check_in, fk
from .clubs import ClubClass, Kruzhok
from .users import User


class InvitationKind(StrEnum):
    STUDENT = "STUDENT"  # a seat in a class
    MENTOR = "MENTOR"  # a mentor of the club


class InvitationStatus(StrEnum):
    PENDING = "PENDING"
    ACCEPTED = "ACCEPTED"
    DECLINED = "DECLINED"


class Invitation(IdMixin, CreatedMixin, Base):
    __tablename__ = "club_invitations"
    __table_args__ = (
        check_in("kind", InvitationKind, name="kind"),
        check_in("status", InvitationStatus, name="status"),
        # One open invitation per person and target: inviting again changes nothing.
        Index("uq_club_invitations_pending", "kind", "target_id", "email", unique=True,
              sqlite_where=text("status = 'PENDING'"), postgresql_where=text("status = 'PENDING'")),
        Index("ix_club_invitations_email_status", "email", "status"),
        Index("ix_club_invitations_created_at", "created_at"),  # the back-office list, newest first
    )

    kind: Mapped[str] = mapped_column(String(16), nullable=False)
    kruzhok_id: Mapped[str] = fk("kruzhoks.id", ondelete="RESTRICT")
    class_id: Mapped[str | None] = fk("club_classes.id", ondelete="RESTRICT", nullable=True, index=False)
    target_id: Mapped[str] = mapped_column(String(36), nullable=False)  # the class (STUDENT) or the club (MENTOR)
    email: Mapped[str] = mapped_column(String(254), nullable=False)  # normalised, lower case
    invited_by_id: Mapped[str] = fk("users.id", ondelete="RESTRICT", index=False)
    user_id: Mapped[str | None] = fk("users.id", ondelete="RESTRICT", nullable=True, index=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default=InvitationStatus.PENDING)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    # Read-only links for the back-office (the invitee may have no account yet: `user` is then None).
    kruzhok: Mapped[Kruzhok] = relationship(viewonly=True)
    club_class: Mapped[ClubClass | None] = relationship(viewonly=True)
    invited_by: Mapped[User] = relationship(foreign_keys=[invited_by_id], viewonly=True)
    user: Mapped[User | None] = relationship(foreign_keys=[user_id], viewonly=True)
