"""Theme memberships as stored rows: adding them, and the counts every theme of a run takes from them."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, cast

from sqlalchemy import Table, insert, select

from analysis.text.release import release_breakdown
from app.extensions import Model
from app.models import Answer, Response, Theme, ThemeMember, ThemeRun


def insert_rows(session, model: type[Model], rows: list[dict[str, Any]]) -> None:
    """Many rows of a table with a natural key in one Core executemany (no ORM bookkeeping per row), the
    caller giving them in key order: the key is the table's B-tree (WITHOUT ROWID on SQLite), so rows in
    order fill its pages one after the other (100k tokens: 0.71 s through the ORM in random order, 0.27 s)."""
    if rows:
        session.execute(insert(cast(Table, model.__table__)), rows)


def add_members(session, members: Iterable[tuple[int, str, str]]) -> None:
    """Insert (theme id, answer id, polarity) memberships in one statement."""
    insert_rows(
        session,
        ThemeMember,
        [
            {"theme_id": theme_id, "answer_id": answer_id, "polarity": polarity, "distance": 0.0, "moved": False}
            for theme_id, answer_id, polarity in sorted(members)
        ],
    )


def _member_rows(session, theme_id: int) -> list[Any]:
    """(respondent, role, department, polarity) of each member of the theme."""
    return list(
        session.execute(
            select(Response.id, Response.role, Response.department_path, ThemeMember.polarity)
            .join(Answer, Answer.response_id == Response.id)
            .join(ThemeMember, ThemeMember.answer_id == Answer.id)
            .where(ThemeMember.theme_id == theme_id)
        ).all()
    )


def recount(
    session,
    run: ThemeRun,
    k_text: int,
    answers: Mapping[str, tuple[str, str | None, str | None]] | None = None,
    members: Mapping[int, list[tuple[str, str]]] | None = None,
) -> None:
    """Sizes, respondents, negative shares and role/department breakdowns from the stored members.

    `answers` (answer id → respondent, role, department), when the caller has loaded them (a refresh has all
    the run's comments), saves looking up each member's answer and response (100k members: 0.7 s → 0.2 s);
    a theme with a member it does not know is counted from the database. `members` (theme id → (answer id,
    polarity) of each member, as stored), when the caller knows them (a refresh stored them), saves reading
    them; with `answers` only."""
    for theme in session.execute(select(Theme).where(Theme.run_id == run.id)).scalars():
        rows: list[Any] = []
        if answers is not None:
            stored = (
                members[theme.id]
                if members is not None and theme.id in members
                else session.execute(
                    select(ThemeMember.answer_id, ThemeMember.polarity).where(ThemeMember.theme_id == theme.id)
                ).all()
            )
            if all(answer_id in answers for answer_id, _ in stored):
                rows = [(*answers[answer_id], polarity) for answer_id, polarity in stored]
            else:
                rows = _member_rows(session, theme.id)
        else:
            rows = _member_rows(session, theme.id)
        theme.size = len(rows)
        respondents = {r[0] for r in rows}
        negative = {r[0] for r in rows if r[3] == "negative"}
        theme.respondents, theme.negative_respondents = len(respondents), len(negative)
        theme.negative_share = len(negative) / len(respondents) if respondents else 0.0
        breakdown = {}
        for index, dimension in ((1, "role"), (2, "department")):
            cells: dict = {}
            for row in rows:
                if row[index]:
                    cells.setdefault(row[index], set()).add(row[0])
            breakdown[dimension] = release_breakdown({value: len(ids) for value, ids in cells.items()}, k_text)
        theme.breakdown = breakdown
    session.flush()
