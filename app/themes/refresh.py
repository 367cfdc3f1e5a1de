"""Refreshing a theme run with new comments without clustering everything again.

When the campaigns of a run received at most `MAX_NEW_SHARE` new comments since the last succeeded
run (and the dictionary is unchanged), the new run copies that run's themes and memberships and
assigns each new comment to the theme whose c-TF-IDF terms it shares most (cosine of its token bag
with the theme's term weights), or to the catch-all below `MIN_SIMILARITY`. Labels, names, noise
marks and lineages carry over; sizes, respondents, negative shares and breakdowns are recounted.
"""

from __future__ import annotations

import math
from collections import Counter

from sqlalchemy import func, insert, select

from analysis.text.nonanswers import is_non_answer
from analysis.text.normalise import name_pattern, normalise
from analysis.text.polarity import polarity
from analysis.text.tokenise import Tokeniser
from app.models import AnswerTokens, Person, Theme, ThemeMember, ThemeRun
from app.themes.members import add_members, recount

MAX_NEW_SHARE = 0.2
MIN_SIMILARITY = 0.1


def incremental_base(session, run: ThemeRun, comments, refreshed: ThemeRun | None):
    """The run to refresh from, and the comments it has not seen; None when a full run is needed."""
    if refreshed is None or run.params.get("full") or refreshed.dictionary_version != run.dictionary_version:
        return None
    seen = set(session.execute(select(ThemeMember.answer_id).join(Theme).where(Theme.run_id == refreshed.id)).scalars())
    known = seen | set(refreshed.params.get("non_answer_ids", []))
    new = [c for c in comments if c.answer_id not in known]
    if not seen or len(new) > MAX_NEW_SHARE * len(seen):
        return None
    return new


def _similarity(tokens: list[str], weights: dict[str, float]) -> float:
    if not tokens or not weights:
        return 0.0
    bag = Counter(tokens)
    dot = sum(count * weights.get(term, 0.0) for term, count in bag.items())
    norm = math.sqrt(sum(c * c for c in bag.values())) * math.sqrt(sum(w * w for w in weights.values()))
    return dot / norm if norm else 0.0


def refresh(session, run: ThemeRun, base: ThemeRun, new_comments, extra_terms, k_text: int, progress) -> None:
    progress("normalise", 10)
    pattern = name_pattern(session.execute(select(Person.name)).scalars())
    texts = [normalise(c.text, pattern, True) for c in new_comments]
    non_answers = [c.answer_id for c, text in zip(new_comments, texts) if is_non_answer(text)]
    progress("tokenise", 30)
    tokeniser = Tokeniser(extra_terms)
    missing = [i for i, c in enumerate(new_comments) if c.tokens is None]
    for i, tokens in zip(missing, tokeniser.tokens_many([texts[i] for i in missing])):
        new_comments[i].tokens = tokens
    if missing:
        session.execute(
            insert(AnswerTokens),
            [
                {
                    "answer_id": new_comments[i].answer_id,
                    "dictionary_version": tokeniser.version,
                    "tokens": " ".join(new_comments[i].tokens),
                }
                for i in missing
            ],
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
                    func.cast(copy.id, ThemeMember.theme_id.type),
                    ThemeMember.answer_id,
                    ThemeMember.polarity,
                    ThemeMember.distance,
                    ThemeMember.moved,
                ).where(ThemeMember.theme_id == theme.id),
            )
        )
    candidates = [t for t in old_themes if not t.is_other and not t.is_noise]
    other = next((copies[t.id] for t in old_themes if t.is_other), None)
    rows = []
    skip = set(non_answers)
    for comment, text in zip(new_comments, texts):
        if comment.answer_id in skip:
            continue
        scored = [(_similarity(comment.tokens, t.term_weights), t.id) for t in candidates]
        best = max(scored, default=(0.0, None))
        target = copies[best[1]] if best[1] is not None and best[0] >= MIN_SIMILARITY else other
        if target is None:
            other = Theme(
                run_id=run.id,
                label="其他/未归类",
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
    recount(session, run, k_text)
    run.params = {
        **run.params,
        "refresh_of": base.id,
        "k": base.params.get("k"),
        "non_answer_ids": list(base.params.get("non_answer_ids", [])) + non_answers,
    }
    run.n_non_answers = base.n_non_answers + len(non_answers)
