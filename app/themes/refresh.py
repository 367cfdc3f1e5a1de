"""Refreshing a theme run with new comments without clustering everything again.

When the campaigns of a run received at most `MAX_NEW_SHARE` new comments since the last succeeded
run (and the dictionary is unchanged), the new run copies that run's themes and memberships and
assigns each new comment to the theme whose c-TF-IDF terms it shares most (`analysis.text.assign`), or
to the catch-all. Labels, names, noise
marks and lineages carry over; sizes, respondents, negative shares and breakdowns are recounted.
"""

from __future__ import annotations

from operator import itemgetter

from sqlalchemy import func, insert, literal, select

from analysis.text.assign import assign
from analysis.text.nonanswers import NonAnswers
from analysis.text.normalise import Normaliser
from analysis.text.pipeline import OTHER_LABEL
from analysis.text.polarity import polarity
from analysis.text.tokenise import tokeniser_for, tokens_many
from app.models import AnswerTokens, Person, Theme, ThemeMember, ThemeRun
from app.themes.members import add_members, insert_rows, recount

MAX_NEW_SHARE = 0.2


def may_refresh(run: ThemeRun, refreshed: ThemeRun | None) -> bool:
    """Whether the run may refresh that earlier one at all (then `incremental_base` decides by the new comments):
    not when there is none, a full run was asked for, or the dictionary changed since."""
    return (
        refreshed is not None and not run.params.get("full") and refreshed.dictionary_version == run.dictionary_version
    )


def incremental_base(session, run: ThemeRun, comments, refreshed: ThemeRun | None):
    """The comments the earlier run has not seen, and its members (theme id → (answer id, polarity) of each),
    when the run may refresh it with them; None when a full run is needed."""
    if refreshed is None or not may_refresh(run, refreshed):
        return None
    members: dict[int, list[tuple[str, str]]] = {}
    for theme_id, answer_id, polarity_ in session.execute(
        select(ThemeMember.theme_id, ThemeMember.answer_id, ThemeMember.polarity)
        .join(Theme)
        .where(Theme.run_id == refreshed.id)
    ):
        members.setdefault(theme_id, []).append((answer_id, polarity_))
    seen = {answer_id for rows in members.values() for answer_id, _ in rows}
    known = seen | set(refreshed.params.get("non_answer_ids", []))
    new = [c for c in comments if c.answer_id not in known]
    if not seen or len(new) > MAX_NEW_SHARE * len(seen):
        return None
    return new, members


def refresh(
    session,
    run: ThemeRun,
    base: ThemeRun,
    new_comments,
    extra_terms,
    k_text: int,
    progress,
    comments=(),
    base_members: dict[int, list[tuple[str, str]]] | None = None,
) -> None:
    """`comments`: all the run's comments as loaded, and `base_members` the base run's members by theme (what
    `incremental_base` read): with both, the themes are recounted without reading their members, answers and
    responses again (100k comments: 0.9 s)."""
    progress("normalise", 10)
    normaliser, filter_ = Normaliser(session.execute(select(Person.name)).scalars()), NonAnswers()
    texts = [normaliser.normalise(c.text) for c in new_comments]
    non_answers = [c.answer_id for c, text in zip(new_comments, texts) if filter_.is_non_answer(text)]
    progress("tokenise", 30)
    tokeniser = tokeniser_for(extra_terms)
    missing = [i for i, c in enumerate(new_comments) if c.tokens is None]
    for i, tokens in zip(missing, tokens_many(tokeniser, [texts[i] for i in missing])):
        new_comments[i].tokens = tokens
    insert_rows(
        session,
        AnswerTokens,
        sorted(
            (
                {
                    "answer_id": new_comments[i].answer_id,
                    "dictionary_version": tokeniser.version,
                    "tokens": " ".join(new_comments[i].tokens),
                }
                for i in missing
            ),
            key=itemgetter("answer_id"),
        ),
    )
    progress("assign", 60)
    old_themes = [t for t in base.themes if t.merged_into_id is None]
    copies = {}
    for theme in old_themes:
        copy = Theme(
            run_id=run.id,
            label=theme.label,
            custom_label=theme.custom_label,
            keywords=theme.keywords,
            representatives=theme.representatives,
            term_weights=theme.term_weights,
            rank=theme.rank,
            is_other=theme.is_other,
            is_noise=theme.is_noise,
            lineage=theme.lineage,
            recurring_quarters=theme.recurring_quarters,
            growth=theme.growth,
            cohesion=theme.cohesion,
        )
        session.add(copy)
        session.flush()
        copies[theme.id] = copy
        session.execute(
            insert(ThemeMember).from_select(
                ["theme_id", "answer_id", "polarity", "distance", "moved"],
                select(
                    func.cast(literal(copy.id), ThemeMember.theme_id.type),
                    ThemeMember.answer_id,
                    ThemeMember.polarity,
                    ThemeMember.distance,
                    ThemeMember.moved,
                ).where(ThemeMember.theme_id == theme.id),
            )
        )
    # by id: a comment as similar to two themes goes to the later one, as before
    candidates = sorted((t for t in old_themes if not t.is_other and not t.is_noise), key=lambda t: t.id)
    other = next((copies[t.id] for t in old_themes if t.is_other), None)
    skip = set(non_answers)
    fresh = [(c, text) for c, text in zip(new_comments, texts) if c.answer_id not in skip]
    chosen = assign([c.tokens for c, _ in fresh], [t.term_weights for t in candidates])
    rows = []
    for (comment, text), index in zip(fresh, chosen):
        target = copies[candidates[index].id] if index is not None else other
        if target is None:
            other = Theme(
                run_id=run.id,
                label=OTHER_LABEL,
                keywords=[],
                representatives=[],
                is_other=True,
                rank=len(copies),
                term_weights={},
            )
            session.add(other)
            session.flush()
            target = other
        rows.append((target.id, comment.answer_id, polarity(text)))
    add_members(session, rows)
    progress("store", 85)
    members = None
    if base_members is not None:
        members = {copy.id: list(base_members.get(theme_id, [])) for theme_id, copy in copies.items()}
        for theme_id, answer_id, polarity_ in rows:
            members.setdefault(theme_id, []).append((answer_id, polarity_))
    answers = {c.answer_id: (c.respondent_id, c.role, c.department) for c in comments} or None
    recount(session, run, k_text, answers, members)
    run.params = {
        **run.params,
        "refresh_of": base.id,
        "k": base.params.get("k"),
        "non_answer_ids": list(base.params.get("non_answer_ids", [])) + non_answers,
    }
    run.n_non_answers = base.n_non_answers + len(non_answers)
