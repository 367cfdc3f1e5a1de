"""Theme memberships as stored rows: adding them, and the counts every theme of a run takes from them."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import insert, select

from analysis.text.release import release_breakdown
from app.models import Answer, Response, Theme, ThemeMember, ThemeRun


def add_members(session, members: Iterable[tuple[int, str, str]]) -> None:
    """Insert (theme id, answer id, polarity) memberships in one statement."""
    rows = [
        {"theme_id": theme_id, "answer_id": answer_id, "polarity": polarity, "distance": 0.0, "moved": False}
        for theme_id, answer_id, polarity in members
    ]
    if rows:
        session.execute(insert(ThemeMember), rows)


def recount(session, run: ThemeRun, k_text: int) -> None:
    """Sizes, respondents, negative shares and role/department breakdowns from the stored members."""
    for theme in session.execute(select(Theme).where(Theme.run_id == run.id)).scalars():
        rows = session.execute(
            select(Response.id, Response.role, Response.department_path, ThemeMember.polarity)
            .join(Answer, Answer.response_id == Response.id)
            .join(ThemeMember, ThemeMember.answer_id == Answer.id)
            .where(ThemeMember.theme_id == theme.id)
        ).all()
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
