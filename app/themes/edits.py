"""Managers' edits to a run's themes (rename, noise, merge, split, move), and re-applying them when a
run over the same campaigns is refreshed."""

from __future__ import annotations

import uuid

from sqlalchemy import delete, insert, select

from analysis.text import Comment, ThemePipeline
from analysis.text.cluster import StableKMeans
from app.models import Answer, Response, Theme, ThemeEdit, ThemeMember, ThemeRun
from app.themes.refresh import recount


class ThemeEditError(ValueError):
    """An edit that cannot be made; the message says why, in the user's language."""


def reapply_edits(session, run: ThemeRun) -> None:
    """Edits made on earlier runs of the same campaigns are re-applied by matching lineage."""
    edits = (
        session.execute(
            select(ThemeEdit)
            .join(ThemeRun, ThemeEdit.run_id == ThemeRun.id)
            .where(ThemeRun.id != run.id)
            .order_by(ThemeEdit.id)
        )
        .scalars()
        .all()
    )
    by_lineage = {t.lineage: t for t in session.execute(select(Theme).where(Theme.run_id == run.id)).scalars()}
    for edit in edits:
        theme = by_lineage.get(edit.payload.get("lineage"))
        if theme is None:
            continue
        if edit.action == "rename":
            theme.custom_label = edit.payload["label"]
        elif edit.action == "noise":
            theme.is_noise = bool(edit.payload.get("noise", True))
        elif edit.action == "merge":
            target = by_lineage.get(edit.payload.get("into_lineage"))
            if target is not None and target.id != theme.id:
                merge_themes(session, theme, target)


def merge_themes(session, source: Theme, target: Theme) -> None:
    members = session.execute(select(ThemeMember).where(ThemeMember.theme_id == source.id)).scalars().all()
    existing = set(session.execute(select(ThemeMember.answer_id).where(ThemeMember.theme_id == target.id)).scalars())
    for member in members:
        if member.answer_id not in existing:
            session.add(
                ThemeMember(theme_id=target.id, answer_id=member.answer_id, polarity=member.polarity, moved=True)
            )
        session.delete(member)
    session.flush()
    rows = session.execute(
        select(Answer.response_id, ThemeMember.polarity)
        .join(Answer, ThemeMember.answer_id == Answer.id)
        .where(ThemeMember.theme_id == target.id)
    ).all()
    target.size = len(rows)
    target.respondents = len({response_id for response_id, _ in rows})
    target.negative_respondents = len({response_id for response_id, p in rows if p == "negative"})
    target.negative_share = target.negative_respondents / target.respondents if target.respondents else 0
    target.keywords = list(dict.fromkeys(target.keywords + source.keywords))[:10]
    source.merged_into_id = target.id
    source.size = source.respondents = source.negative_respondents = 0


def record_edit(session, run: ThemeRun, theme: Theme, action: str, user_id: int | None, **payload) -> None:
    session.add(
        ThemeEdit(
            run_id=run.id,
            action=action,
            staff_user_id=user_id,
            payload={"lineage": theme.lineage, "theme_id": theme.id, **payload},
        )
    )


def move_comment(session, answer_id: str, source: Theme, target: Theme, k_text: int) -> None:
    member = session.get(ThemeMember, (source.id, answer_id))
    if member is None or target.run_id != source.run_id:
        raise ThemeEditError("这条评论不在该主题中，或目标主题不属于同一次分析")
    session.delete(member)
    session.flush()
    session.add(ThemeMember(theme_id=target.id, answer_id=answer_id, polarity=member.polarity, moved=True))
    session.flush()
    recount(session, source.run, k_text)


def split_theme(session, theme: Theme, k_text: int) -> list[Theme]:
    """Re-cluster one theme's comments into sub-themes (number chosen from the data, at least two)."""
    rows = session.execute(
        select(Answer.id, Answer.response_id, Answer.value_text, Response.role, Response.department_path)
        .join(ThemeMember, ThemeMember.answer_id == Answer.id)
        .join(Response, Answer.response_id == Response.id)
        .where(ThemeMember.theme_id == theme.id)
        .order_by(Answer.id)
    ).all()
    if len(rows) < 6:
        raise ThemeEditError("评论太少，无法拆分")
    comments = [Comment(a, r, t, role, dept) for a, r, t, role, dept in rows]
    clusterer = StableKMeans(k_min=2, k_max=6, min_stability=0.0, tolerance=0.8, min_similarity=0.0, random_state=0)
    result = ThemePipeline(random_state=0, k_text=k_text, clusterer=clusterer, workers=1).fit(comments)
    parts = [t for t in result.themes if not t.is_other and t.members]
    if len(parts) < 2:
        raise ThemeEditError("这些评论找不到可以区分的子主题")
    session.execute(delete(ThemeMember).where(ThemeMember.theme_id == theme.id))
    created = []
    for part in parts:
        row = Theme(
            run_id=theme.run_id,
            label=part.label,
            keywords=part.keywords,
            term_weights=part.term_weights,
            representatives=[comments[i].text[:500] for i in part.representatives],
            rank=theme.rank,
            lineage=str(uuid.uuid4()),
            recurring_quarters=theme.recurring_quarters,
            cohesion=round(part.cohesion, 3),
        )
        session.add(row)
        session.flush()
        session.execute(
            insert(ThemeMember),
            [
                {
                    "theme_id": row.id,
                    "answer_id": comments[i].answer_id,
                    "polarity": result.polarities[i],
                    "distance": 0.0,
                    "moved": False,
                }
                for i in part.members
            ],
        )
        created.append(row)
    leftovers = [i for t in result.themes if t.is_other for i in t.members]
    if leftovers:
        session.execute(
            insert(ThemeMember),
            [
                {
                    "theme_id": created[0].id,
                    "answer_id": comments[i].answer_id,
                    "polarity": result.polarities[i],
                    "distance": 0.0,
                    "moved": False,
                }
                for i in leftovers
            ],
        )
    theme.merged_into_id = created[0].id
    theme.size = theme.respondents = theme.negative_respondents = 0
    recount(session, theme.run, k_text)
    return created
