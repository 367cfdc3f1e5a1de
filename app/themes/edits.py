"""Managers' edits to a run's themes — rename, noise, merge (and its undo), split, move — each written with its
edit row (re-applied on later runs by `app.themes.replay`) and its audit row by one function."""

from __future__ import annotations

import uuid

from flask_babel import gettext as _
from sqlalchemy import delete, select

from analysis.text import Comment, ThemePipeline
from analysis.text.cluster import StableKMeans
from app.audit import record
from app.models import Answer, Response, Theme, ThemeEdit, ThemeMember, ThemeRun
from app.models.types import is_id
from app.themes.members import add_members, recount
from app.themes.released import run_k_text

SPLIT_MIN_COMMENTS = 6


class ThemeEditError(ValueError):
    """An edit that cannot be made; the message says why, in the user's language."""


def record_edit(session, theme: Theme, action: str, user_id: int | None, audit: dict, **payload) -> None:
    """The edit row (replayed on refresh, by lineage) and the audit row of one edit, added together."""
    session.add(
        ThemeEdit(
            run_id=theme.run_id,
            action=action,
            staff_user_id=user_id,
            payload={"lineage": theme.lineage, "theme_id": theme.id, **payload},
        )
    )
    record(f"theme.{action}", "theme", theme.id, audit, actor_id=user_id)


def rename(session, theme: Theme, label: str, user_id: int | None) -> Theme:
    theme.custom_label = label.strip()
    record_edit(session, theme, "rename", user_id, {"label": theme.custom_label}, label=theme.custom_label)
    return theme


def toggle_noise(session, theme: Theme, user_id: int | None) -> Theme:
    theme.is_noise = not theme.is_noise
    record_edit(session, theme, "noise", user_id, {"noise": theme.is_noise}, noise=theme.is_noise)
    return theme


def merge_target(session, theme: Theme, target_id: int | None) -> Theme:
    """The theme `theme` would be merged into, or ThemeEditError (what the confirmation asks about)."""
    target = _other_theme(session, theme, target_id)
    if target.is_other or theme.merged_into_id is not None:
        raise ThemeEditError(_("请选择同一次分析中的另一个主题"))
    return target


def merge(session, theme: Theme, target_id: int | None, user_id: int | None) -> Theme:
    """Merge `theme` into another theme of the same run; returns the theme it went into. The edit keeps what
    undo_merge needs: the comments that went over and the target's keywords before."""
    target = merge_target(session, theme, target_id)
    keywords, members = list(target.keywords), member_ids(session, theme.id)
    moved = merge_themes(session, theme, target)
    record_edit(
        session,
        theme,
        "merge",
        user_id,
        {"into": target.id},
        into_lineage=target.lineage,
        members=members,
        moved_members=moved,
        keywords_before=keywords,
    )
    return target


def undo_merge(session, theme: Theme, user_id: int | None) -> Theme:
    """Undo `theme`'s merge: its comments come back from the theme it went into (those a manager has since
    moved elsewhere stay there), the target's keywords are restored, the counts recomputed; the merge is
    no longer re-applied on refresh. Returns `theme`."""
    edit = _merge_edit(session, theme)
    target = session.get(Theme, theme.merged_into_id) if theme.merged_into_id is not None else None
    if edit is None or target is None or "moved_members" not in edit.payload:
        raise ThemeEditError(_("这个主题没有可以撤销的合并"))
    for answer_id, moved, added in edit.payload["moved_members"]:
        member = session.get(ThemeMember, (target.id, answer_id))
        if member is None:
            continue
        session.add(ThemeMember(theme_id=theme.id, answer_id=answer_id, polarity=member.polarity, moved=moved))
        if added:
            session.delete(member)
    session.flush()
    target.keywords = edit.payload["keywords_before"]
    theme.merged_into_id = None
    recount(session, theme.run, run_k_text(session, theme.run))
    record_edit(session, theme, "unmerge", user_id, {"from": target.id}, merge_edit_id=edit.id)
    return theme


def merged_sources(session, run: ThemeRun) -> dict[int, list[Theme]]:
    """The themes merged into each theme of the run (each can be unmerged from its target's card)."""
    rows = session.execute(
        select(Theme).where(Theme.run_id == run.id, Theme.merged_into_id.is_not(None)).order_by(Theme.id)
    ).scalars()
    merged: dict[int, list[Theme]] = {}
    for theme in rows:
        merged.setdefault(theme.merged_into_id, []).append(theme)
    return merged


def _merge_edit(session, theme: Theme) -> ThemeEdit | None:
    """The edit that merged `theme` away (its latest merge in this run), if it has not been undone."""
    rows = session.execute(
        select(ThemeEdit)
        .where(ThemeEdit.run_id == theme.run_id, ThemeEdit.action.in_(("merge", "unmerge")))
        .order_by(ThemeEdit.id.desc())
    ).scalars()
    for edit in rows:
        if edit.payload.get("theme_id") == theme.id:
            return edit if edit.action == "merge" else None
    return None


def split(session, theme: Theme, user_id: int | None) -> list[Theme]:
    """Split `theme` into sub-themes; the edit keeps which comments went to which part, so a full re-run can
    divide the theme the same way (`app.themes.replay`)."""
    members, respondents = member_ids(session, theme.id), theme.respondents
    parts = split_theme(session, theme)
    into = [part.id for part in parts]
    record_edit(
        session,
        theme,
        "split",
        user_id,
        {"into": into},
        into=into,
        members=members,
        respondents=respondents,
        parts=[{"lineage": part.lineage, "members": member_ids(session, part.id)} for part in parts],
    )
    return parts


def member_ids(session, theme_id: int) -> list[str]:
    """The answer ids of a theme's comments, in id order."""
    return list(
        session.execute(
            select(ThemeMember.answer_id).where(ThemeMember.theme_id == theme_id).order_by(ThemeMember.answer_id)
        ).scalars()
    )


def move(session, theme: Theme, answer_id: str, target_id: int | None, user_id: int | None) -> Theme:
    """Move one comment of `theme` to another theme of the same run; returns that theme."""
    target = _other_theme(session, theme, target_id)
    move_comment(session, answer_id, theme, target)
    record_edit(
        session,
        theme,
        "move",
        user_id,
        {"answer_id": answer_id, "to": target.id},
        answer_id=answer_id,
        to_lineage=target.lineage,
    )
    return target


def _other_theme(session, theme: Theme, target_id: int | None) -> Theme:
    target = session.get(Theme, target_id) if is_id(target_id) else None
    if target is None or target.run_id != theme.run_id or target.id == theme.id:
        raise ThemeEditError(_("请选择同一次分析中的另一个主题"))
    return target


def merge_themes(session, source: Theme, target: Theme) -> list[list]:
    """Move every member of `source` into `target`; keywords are joined, the counts taken from the members.
    Returns each member as [answer id, moved, added] (added: it was not in `target` already)."""
    members = session.execute(select(ThemeMember).where(ThemeMember.theme_id == source.id)).scalars().all()
    existing = set(session.execute(select(ThemeMember.answer_id).where(ThemeMember.theme_id == target.id)).scalars())
    merged = []
    for member in members:
        added = member.answer_id not in existing
        if added:
            session.add(
                ThemeMember(theme_id=target.id, answer_id=member.answer_id, polarity=member.polarity, moved=True)
            )
        merged.append([member.answer_id, bool(member.moved), added])
        session.delete(member)
    session.flush()
    target.keywords = list(dict.fromkeys(target.keywords + source.keywords))[:10]
    source.merged_into_id = target.id
    recount(session, target.run, run_k_text(session, target.run))
    return merged


def move_comment(session, answer_id: str, source: Theme, target: Theme) -> None:
    member = session.get(ThemeMember, (source.id, answer_id))
    if member is None or target.run_id != source.run_id:
        raise ThemeEditError(_("这条评论不在该主题中，或目标主题不属于同一次分析"))
    session.delete(member)
    session.flush()
    session.add(ThemeMember(theme_id=target.id, answer_id=answer_id, polarity=member.polarity, moved=True))
    session.flush()
    recount(session, source.run, run_k_text(session, source.run))


def split_theme(session, theme: Theme) -> list[Theme]:
    """Re-cluster one theme's comments into sub-themes (number chosen from the data, at least two)."""
    rows = session.execute(
        select(Answer.id, Answer.response_id, Answer.value_text, Response.role, Response.department_path)
        .join(ThemeMember, ThemeMember.answer_id == Answer.id)
        .join(Response, Answer.response_id == Response.id)
        .where(ThemeMember.theme_id == theme.id)
        .order_by(Answer.id)
    ).all()
    if len(rows) < SPLIT_MIN_COMMENTS:
        raise ThemeEditError(_("评论太少，无法拆分"))
    k_text = run_k_text(session, theme.run)
    comments = [Comment(a, r, t, role, dept) for a, r, t, role, dept in rows]
    clusterer = StableKMeans(k_min=2, k_max=6, min_similarity=0.0, random_state=0)
    result = ThemePipeline(random_state=0, k_text=k_text, clusterer=clusterer, workers=1).fit(comments).result_
    parts = [t for t in result.themes if not t.is_other and t.members]
    if len(parts) < 2:
        raise ThemeEditError(_("这些评论找不到可以区分的子主题"))
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
        add_members(session, ((row.id, comments[i].answer_id, result.polarities[i]) for i in part.members))
        created.append(row)
    leftovers = [i for t in result.themes if t.is_other for i in t.members]
    add_members(session, ((created[0].id, comments[i].answer_id, result.polarities[i]) for i in leftovers))
    theme.merged_into_id = created[0].id
    recount(session, theme.run, k_text)
    return created
