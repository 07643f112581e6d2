"""Texts of clubs: a mentor assigned, a student added to a class."""

from __future__ import annotations

MENTOR_ASSIGNED_TITLE = "Вы назначены ментором"
STUDENT_ADDED_TITLE = "Вас добавили в кружок"


def mentor_assigned_message(club_title: str) -> str:
    return f"Вас назначили ментором кружка «{club_title}»."


def student_added_message(*, class_name: str, club_title: str) -> str:
    return f"Вас добавили в класс «{class_name}» кружка «{club_title}»."
