"""Version counters behind the ETags of public JSON (feed, courses, plans).

Every ORM write to a topic's tables bumps the topic's counter in the same transaction (session events
below, so no service can forget it and a rolled-back write bumps nothing). A reader derives the ETag
from one primary-key read, so every process agrees without sharing memory. Read the version BEFORE
the data: a body built afterwards is never older than its version.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select, update
from sqlalchemy.orm import ORMExecuteState, Session, UOWTransaction

from core.models import (
    ByteSizeItem,
    CacheVersion,
    Course,
    Lesson,
    LessonQuestion,
    Module,
    SubscriptionPlan,
)

BYTESIZE = "bytesize"
COURSES = "courses"
PLANS = "plans"
TOPICS = (BYTESIZE, COURSES, PLANS)

TOPIC_OF: dict[type, str] = {
    ByteSizeItem: BYTESIZE,
    Course: COURSES, Module: COURSES, Lesson: COURSES, LessonQuestion: COURSES,
    SubscriptionPlan: PLANS,
}


def version_of(session: Session, topic: str) -> int | None:
    """The topic's current version; None when the row is missing (then nothing is cached)."""
    return session.scalar(select(CacheVersion.version).where(CacheVersion.topic == topic))


def all_versions(session: Session) -> dict[str, int]:
    """Every topic's version (a few rows): what public_api/version_gate.py shares between requests."""
    return {topic: version for topic, version in session.execute(select(CacheVersion.topic, CacheVersion.version))}


def bump(session: Session, topics: Iterable[str]) -> None:
    """+1 on each topic (sorted, so concurrent writers lock rows in one order)."""
    for topic in sorted(set(topics)):
        session.connection().execute(
            update(CacheVersion).where(CacheVersion.topic == topic).values(version=CacheVersion.version + 1))


def _topics_of(objects: Iterable[object]) -> set[str]:
    found = set()
    for obj in objects:
        topic = TOPIC_OF.get(type(obj))
        if topic is not None:
            found.add(topic)
    return found


def _on_flush(session: Session, _flush: UOWTransaction, _instances: object) -> None:
    changed = [o for o in session.dirty if session.is_modified(o)]
    topics = _topics_of([*session.new, *session.deleted, *changed])
    if topics:
        session.info.setdefault("cache_topics", set()).update(topics)


def _after_flush(session: Session, _flush: UOWTransaction) -> None:
    topics = session.info.pop("cache_topics", None)
    if topics:
        bump(session, topics)


def _on_bulk(state: ORMExecuteState) -> None:
    # `session.execute(update(Course)…)` / delete / insert bypass the flush.
    if state.is_select or state.bind_mapper is None:
        return
    topic = TOPIC_OF.get(state.bind_mapper.class_)
    if topic is not None:
        bump(state.session, [topic])


def install() -> None:
    """Register the session events (idempotent; `core.db` calls it at import)."""
    from sqlalchemy import event

    for name, fn in (("before_flush", _on_flush), ("after_flush", _after_flush), ("do_orm_execute", _on_bulk)):
        if not event.contains(Session, name, fn):
            event.listen(Session, name, fn)


__all__ = ["BYTESIZE", "COURSES", "PLANS", "TOPICS", "bump", "install", "version_of"]
