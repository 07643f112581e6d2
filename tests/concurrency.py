"""Run callables at the same moment in threads, for race tests on real committed data."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Any

from core.db import Database


def run_concurrently(calls: Sequence[Callable[[], Any]], *, timeout: float = 60) -> list[Any]:
    """Start one thread per call, release them together (a barrier) and wait for all of them.

    Returns, in the order of `calls`, each call's return value or the exception it raised (to be
    inspected by the test). A thread still running after `timeout` seconds shows as a TimeoutError."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)
    done = [False] * len(calls)

    def run(i: int) -> None:
        try:
            barrier.wait()
            results[i] = calls[i]()
        except BaseException as exc:  # noqa: BLE001 - inspected by the test
            results[i] = exc
        done[i] = True

    threads = [threading.Thread(target=run, args=(i,), name=f"concurrent-{i}") for i in range(len(calls))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=timeout)
    return [r if done[i] else TimeoutError(f"call {i} still running after {timeout} s")
            for i, r in enumerate(results)]


def race_in_transactions(db: Database, calls: Sequence[Callable[[Any], Any]]) -> list[Any]:
    """Run each `call(session)` in its own thread and committed transaction, released together;
    returns each result or the exception it raised."""
    def in_transaction(call: Callable[[Any], Any]) -> Callable[[], Any]:
        def run() -> Any:
            with db.transaction() as session:
                return call(session)
        return run

    return run_concurrently([in_transaction(c) for c in calls])


def delete_history_free_children(session: Any, *, users: Sequence[str] = (), quizzes: Sequence[str] = ()) -> None:
    """Committed-data test cleanups: the rows that go with a user, a club or a quiz (RESTRICT keys, so the
    cleanup deletes them first, as core/services/deletion.py does)."""
    from sqlalchemy import delete, or_, select

    from core.models import AdminSession, ClubMentor, Kruzhok, Notification, QuizQuestion

    session.execute(delete(Notification).where(Notification.user_id.in_(list(users))))
    session.execute(delete(AdminSession).where(AdminSession.user_id.in_(list(users))))
    owned = select(Kruzhok.id).where(Kruzhok.owner_id.in_(list(users)))
    mentors = or_(ClubMentor.kruzhok_id.in_(owned), ClubMentor.user_id.in_(list(users)))
    session.execute(delete(ClubMentor).where(mentors))
    session.execute(delete(QuizQuestion).where(QuizQuestion.quiz_id.in_(list(quizzes))))
