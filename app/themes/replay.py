"""Re-applying managers' edits on a later run: a refresh (themes copied) or a full re-run (themes clustered anew).

An edited theme is found in the new run by its lineage, or else as the theme that holds most of its comments
and resembles its terms (`analysis.text.recurrence.follow`). Rename and noise mark it again, merge moves it into
the theme its target became, split divides it as the manager's split did (each comment to the part it was in;
a comment the split never saw to the part whose terms it shares most), move puts the comment in the theme its
target became. An edit already in effect (a refresh copies the edited themes) changes nothing. An edit of a run
over the same campaigns that no longer applies is kept in the run's params (`unapplied_edits`) with its reason,
and the run page lists it for the manager.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, select

from analysis.text.assign import assign
from analysis.text.recurrence import follow
from analysis.text.release import theme_release
from app.models import AnswerTokens, Theme, ThemeEdit, ThemeMember, ThemeRun
from app.themes.edits import member_ids, merge_themes, move_comment
from app.themes.members import add_members, recount
from app.themes.released import run_k_text

CHUNK = 5000  # answer ids per IN (…) list

REASONS = {
    "theme_gone": _l("本次分析中找不到这个主题（它的评论已分散到其他主题）"),
    "target_gone": _l("本次分析中找不到目标主题"),
    "comment_gone": _l("这条评论不在本次分析中"),
}
ACTIONS = {
    "rename": _l("重命名"),
    "noise": _l("标记为噪声"),
    "merge": _l("合并"),
    "split": _l("拆分"),
    "move": _l("移动评论"),
}


@dataclass(frozen=True)
class UnappliedEdit:
    """An edit of an earlier run that could not be made on this one, as the run page lists it."""

    edit: ThemeEdit
    action: str
    theme_label: str
    reason: str


class Replay:
    """The edits of earlier runs, made again on `run` in the order they were made."""

    def __init__(self, session, run: ThemeRun):
        self.session, self.run = session, run
        self.k_text = run_k_text(session, run)

    # --- finding an edited theme in this run -------------------------------------------------------------
    def themes(self) -> list[Theme]:
        return list(
            self.session.execute(
                select(Theme).where(Theme.run_id == self.run.id, Theme.merged_into_id.is_(None)).order_by(Theme.id)
            ).scalars()
        )

    def find(self, lineage: str | None, members: Iterable[str], weights: dict | None) -> Theme | None:
        """The theme of this run an edited theme became: same lineage, or most of its comments and like terms."""
        themes = self.themes()
        same = next((t for t in themes if lineage and t.lineage == lineage), None)
        if same is not None:
            return same
        overlaps = self.overlaps(members)
        candidates = {t.id: t.term_weights or {} for t in themes if not t.is_other}
        found = follow(overlaps, weights or {}, candidates)
        return next((t for t in themes if t.id == found), None)

    def overlaps(self, members: Iterable[str]) -> dict[int, int]:
        ids, counts = list(members), Counter[int]()
        for start in range(0, len(ids), CHUNK):
            rows = self.session.execute(
                select(ThemeMember.theme_id, func.count())
                .join(Theme, Theme.id == ThemeMember.theme_id)
                .where(
                    Theme.run_id == self.run.id,
                    Theme.merged_into_id.is_(None),
                    ThemeMember.answer_id.in_(ids[start : start + CHUNK]),
                )
                .group_by(ThemeMember.theme_id)
            )
            counts.update(dict(rows.all()))
        return dict(counts)

    def edited(self, edit: ThemeEdit) -> Theme | None:
        """The theme as it was edited (a row of the edit's own run)."""
        return self.session.get(Theme, edit.payload.get("theme_id"))

    def earlier(self, edit: ThemeEdit, lineage: str | None) -> Theme | None:
        """A theme of the edit's run by lineage (the target of a merge or a move, a part of a split)."""
        if not lineage:
            return None
        return self.session.execute(
            select(Theme).where(Theme.run_id == edit.run_id, Theme.lineage == lineage).order_by(Theme.id).limit(1)
        ).scalar_one_or_none()

    def find_edited(self, edit: ThemeEdit) -> Theme | None:
        old = self.edited(edit)
        members = edit.payload.get("members")
        if members is None:
            members = member_ids(self.session, old.id) if old is not None else []
        return self.find(edit.payload.get("lineage"), members, old.term_weights if old is not None else None)

    def find_target(self, edit: ThemeEdit, lineage: str | None) -> Theme | None:
        old = self.earlier(edit, lineage)
        if old is None:
            return self.find(lineage, [], None)
        return self.find(lineage, member_ids(self.session, old.id), old.term_weights)

    # --- the edits ---------------------------------------------------------------------------------------
    def apply(self, edit: ThemeEdit) -> str | None:
        """Make one edit again; None when it is made or already in effect, else why it no longer applies."""
        return getattr(self, f"_{edit.action}")(edit)

    def _rename(self, edit: ThemeEdit) -> str | None:
        theme = self.find_edited(edit)
        if theme is None:
            return "theme_gone"
        theme.custom_label = edit.payload["label"]
        return None

    def _noise(self, edit: ThemeEdit) -> str | None:
        theme = self.find_edited(edit)
        if theme is None:
            return "theme_gone"
        theme.is_noise = bool(edit.payload.get("noise", True))
        return None

    def _merge(self, edit: ThemeEdit) -> str | None:
        target = self.find_target(edit, edit.payload.get("into_lineage"))
        if target is None:
            return "target_gone"
        source = self.find_edited(edit)
        if source is None:
            return "theme_gone"
        if source.id != target.id:
            merge_themes(self.session, source, target)
        return None

    def _move(self, edit: ThemeEdit) -> str | None:
        answer_id = edit.payload.get("answer_id")
        if answer_id is None:  # no comment named: none is in any theme
            return "comment_gone"
        current = self.session.execute(
            select(Theme)
            .join(ThemeMember, ThemeMember.theme_id == Theme.id)
            .where(Theme.run_id == self.run.id, Theme.merged_into_id.is_(None), ThemeMember.answer_id == answer_id)
        ).scalar_one_or_none()
        if current is None:
            return "comment_gone"
        target = self.find_target(edit, edit.payload.get("to_lineage"))
        if target is None:
            return "target_gone"
        if target.id != current.id:
            move_comment(self.session, answer_id, current, target)
        return None

    def _split(self, edit: ThemeEdit) -> str | None:
        parts = self.parts_of(edit)
        if not parts:
            return "theme_gone"
        themes = self.themes()
        present = {t.lineage: t for t in themes if t.lineage}
        if all(lineage in present for lineage, _old, _members in parts):
            return None  # the parts are here already (a refresh copied them)
        members = edit.payload.get("members") or [m for _l, _o, part in parts for m in part]
        source = self.find(edit.payload.get("lineage"), members, getattr(self.edited(edit), "term_weights", None))
        if source is None:
            return "theme_gone"
        self.divide(source, parts, present)
        return None

    def parts_of(self, edit: ThemeEdit) -> list[tuple[str, Theme, set[str]]]:
        """(lineage, row of the edit's run, comments) of each part of a split; an edit written before the parts'
        comments were kept reads them from the parts' rows."""
        recorded = edit.payload.get("parts")
        if recorded is None:
            rows = [self.session.get(Theme, i) for i in edit.payload.get("into", [])]
            recorded = [{"lineage": r.lineage, "members": member_ids(self.session, r.id)} for r in rows if r]
        parts = []
        for part in recorded:
            old = self.earlier(edit, part["lineage"])
            if old is not None:
                parts.append((part["lineage"], old, set(part["members"])))
        return parts

    def divide(self, source: Theme, parts: list[tuple[str, Theme, set[str]]], present: dict[str, Theme]) -> None:
        """Move the comments of `source` into the split's parts (as rows of this run, made when missing)."""
        targets = [present.get(lineage) or self.part_row(source, old, lineage) for lineage, old, _m in parts]
        rows = self.session.execute(
            select(ThemeMember.answer_id, ThemeMember.polarity).where(ThemeMember.theme_id == source.id)
        ).all()
        unseen = [answer_id for answer_id, _p in rows if not any(answer_id in m for _l, _o, m in parts)]
        chosen = dict(zip(unseen, assign(self.tokens(unseen), [old.term_weights or {} for _l, old, _m in parts])))
        moves = []
        for answer_id, polarity in rows:
            index = next((i for i, (_l, _o, m) in enumerate(parts) if answer_id in m), None)
            index = chosen.get(answer_id) if index is None else index
            target = targets[index or 0]
            if target.id != source.id:
                moves.append((target.id, answer_id, polarity))
        moved = [answer_id for _t, answer_id, _p in moves]
        for start in range(0, len(moved), CHUNK):
            self.session.execute(
                delete(ThemeMember).where(
                    ThemeMember.theme_id == source.id, ThemeMember.answer_id.in_(moved[start : start + CHUNK])
                )
            )
        add_members(self.session, moves)
        if source not in targets:
            source.merged_into_id = targets[0].id
        self.session.flush()
        recount(self.session, self.run, self.k_text)

    def part_row(self, source: Theme, old: Theme, lineage: str) -> Theme:
        row = Theme(
            run_id=self.run.id,
            label=old.label,
            custom_label=old.custom_label,
            keywords=old.keywords,
            term_weights=old.term_weights,
            representatives=old.representatives,
            rank=source.rank,
            lineage=lineage or str(uuid.uuid4()),
            recurring_quarters=source.recurring_quarters,
            cohesion=old.cohesion,
        )
        self.session.add(row)
        self.session.flush()
        return row

    def tokens(self, answer_ids: list[str]) -> list[list[str] | None]:
        found = {}
        for start in range(0, len(answer_ids), CHUNK):
            found.update(
                self.session.execute(
                    select(AnswerTokens.answer_id, AnswerTokens.tokens).where(
                        AnswerTokens.dictionary_version == self.run.dictionary_version,
                        AnswerTokens.answer_id.in_(answer_ids[start : start + CHUNK]),
                    )
                ).all()
            )
        return [found[a].split(" ") if found.get(a) else None for a in answer_ids]


def reapply_edits(session, run: ThemeRun) -> None:
    """Every earlier edit made again on `run`, in order; those of runs over the same campaigns that no longer
    apply are listed in the run's params (`unapplied_edits`)."""
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
    same = sorted(run.campaign_ids or [])
    replay, unapplied = Replay(session, run), []
    undone = {edit.payload.get("merge_edit_id") for edit in edits if edit.action == "unmerge"}
    for edit in edits:
        if edit.action == "unmerge" or edit.id in undone:  # an undone merge is not made again
            continue
        reason = replay.apply(edit)
        if reason is not None and sorted(session.get(ThemeRun, edit.run_id).campaign_ids or []) == same:
            unapplied.append({"edit": edit.id, "reason": reason})
    session.flush()
    run.params = {**(run.params or {}), "unapplied_edits": unapplied}


def unapplied_edits(session, run: ThemeRun) -> list[UnappliedEdit]:
    """The edits the run could not make again, with the edited theme's name as far as it may be shown."""
    listed = []
    for entry in (run.params or {}).get("unapplied_edits", []):
        edit = session.get(ThemeEdit, entry["edit"])
        if edit is None:
            continue
        action, reason = str(ACTIONS.get(edit.action, edit.action)), str(REASONS[entry["reason"]])
        listed.append(UnappliedEdit(edit, action, edited_label(session, edit), reason))
    return listed


def edited_label(session, edit: ThemeEdit) -> str:
    """The edited theme's name as the manager saw it — drawn from its comments only when, at the time of the
    edit, it had k_text respondents (a merged or split theme keeps none) — or its number."""
    old = session.get(Theme, edit.payload.get("theme_id"))
    if old is None:
        return ""
    respondents = max(old.respondents, edit.payload.get("respondents", 0))
    shown = theme_release(respondents, run_k_text(session, old.run)).label
    return old.custom_label or (old.label if shown else f"#{old.id}")
