"""Theme runs: which comments go in, running `analysis.text` on them as a background job, storing the themes
and linking them to earlier runs (recurrence).

A run is a background job (`app.jobs`). It reads stored tokens for the current dictionary version
and stores the ones it makes, so a re-run does not tokenise again. A run that fails is marked failed
with its error and leaves earlier runs untouched.
"""

from __future__ import annotations

import time
import traceback
import uuid
from operator import itemgetter

from flask import current_app
from sqlalchemy import null, select

from analysis.privacy import may_release_text
from analysis.release import OVERALL
from analysis.text import Comment, ThemePipeline
from analysis.text.recurrence import growth, match
from analysis.text.tokenise import dictionary_version
from app.extensions import db
from app.instruments import instrument_for
from app.jobs import ACTIVE, JobFailed
from app.models import (
    Answer,
    AnswerTokens,
    Campaign,
    DictionaryTerm,
    Person,
    Response,
    Theme,
    ThemeRun,
)
from app.models.types import utcnow
from app.results.releases import release_state
from app.themes.emerging import notify_emerging, previous_run
from app.themes.members import add_members, insert_rows
from app.themes.refresh import incremental_base, may_refresh, refresh
from app.themes.released import run_k_text
from app.themes.replay import reapply_edits
from app.version import code_version


class ThemeRunError(ValueError):
    pass


def extra_terms(session) -> list[str]:
    return list(session.execute(select(DictionaryTerm.term).order_by(DictionaryTerm.term)).scalars())


def create_run(session, campaign_ids: list[int], user_id: int | None = None, full: bool = False) -> ThemeRun:
    campaigns = [session.get(Campaign, cid) for cid in campaign_ids]
    if not campaign_ids or any(c is None for c in campaigns):
        raise ThemeRunError("请选择存在的问卷活动")
    quarters = {c.quarter for c in campaigns}
    run = ThemeRun(
        campaign_ids=sorted(set(campaign_ids)),
        quarter=quarters.pop() if len(quarters) == 1 else None,
        status="queued",
        stage="queued",
        progress=0,
        created_by_id=user_id,
        params={"random_state": 0, "k_text": max(c.min_group_text for c in campaigns), "full": full},
        code_version=code_version(),
        dictionary_version=dictionary_version(extra_terms(session)),
    )
    session.add(run)
    session.commit()
    return run


def released_step(session, campaign: Campaign) -> int | None:
    """The release step up to which the campaign's comments may be read (its records as last released overall):
    a comment written since is grouped once the next step releases it, as on the comments page."""
    return release_state(session, campaign).records(OVERALL).shown_step


def load_comments(session, run: ThemeRun, texts: bool = True) -> list[Comment]:
    """The released comments of the run's campaigns, by text, with their stored tokens; the step read of each is
    kept in the run's params. `texts=False` reads neither texts nor tokens, only who wrote each comment, in their
    role and department (a refresh reads the rest of its new comments only: `attach_texts`)."""
    comments: list[Comment] = []
    version = run.dictionary_version
    steps = {}
    for campaign_id in run.campaign_ids:
        campaign = session.get(Campaign, campaign_id)
        step = steps[str(campaign_id)] = released_step(session, campaign)
        if step is None:
            continue
        codes = [q.code for q in instrument_for(campaign.instrument_version).text_questions]
        query = select(
            Answer.id,
            Answer.response_id,
            Answer.value_text if texts else null(),
            Response.role,
            Response.department_path,
            AnswerTokens.tokens if texts else null(),
        ).join(Response, Answer.response_id == Response.id)
        if texts:
            query = query.outerjoin(
                AnswerTokens, (AnswerTokens.answer_id == Answer.id) & (AnswerTokens.dictionary_version == version)
            )
        released = select(Response.id).where(Response.campaign_id == campaign_id, Response.release_step <= step)
        rows = session.execute(
            query.where(
                # the campaign's responses first: as a join condition SQLite read every campaign's answers to the
                # question by its index, and a campaign's load grew with the database (3 × 100k: 0.93 s → 0.64 s)
                Answer.response_id.in_(released),
                Answer.question_code.in_(codes),
                Answer.value_text.is_not(None),
            ).order_by(
                # by text: the same comments give the same themes whatever their ids
                *((Answer.value_text, Answer.id) if texts else (Answer.id,))
            )
        ).all()
        quarter = campaign.quarter
        comments.extend(
            Comment(
                answer_id,
                response_id,
                text or "",
                role,
                department,
                quarter,
                tokens.split(" ") if tokens else ([] if tokens == "" else None),
            )
            for answer_id, response_id, text, role, department, tokens in rows
        )
    run.params = {**(run.params or {}), "release_steps": steps}
    return comments


def attach_texts(session, run: ThemeRun, comments: list[Comment]) -> list[Comment]:
    """Comments `load_comments(texts=False)` read, with their texts and stored tokens (the run's dictionary
    version), by text as `load_comments` orders them."""
    ids = [c.answer_id for c in comments]
    found: dict[str, tuple[str | None, str | None]] = {}
    for start in range(0, len(ids), 500):  # SQLite's bound parameters are limited
        rows = session.execute(
            select(Answer.id, Answer.value_text, AnswerTokens.tokens)
            .outerjoin(
                AnswerTokens,
                (AnswerTokens.answer_id == Answer.id) & (AnswerTokens.dictionary_version == run.dictionary_version),
            )
            .where(Answer.id.in_(ids[start : start + 500]))
        )
        found.update((answer_id, (text, tokens)) for answer_id, text, tokens in rows)
    read = []
    for comment in comments:
        text, tokens = found.get(comment.answer_id, (None, None))
        if text is None:  # deleted (or emptied) since the first read: not a comment any more
            continue
        comment.text = text
        comment.tokens = tokens.split(" ") if tokens else ([] if tokens == "" else None)
        read.append(comment)
    return sorted(read, key=lambda c: (c.text, c.answer_id))


def execute_run(run_id: int) -> None:
    """The job: a failure is stored on the run (earlier runs stay as they were), then raised as JobFailed."""
    session = db.session
    run = session.get(ThemeRun, run_id)
    if run is None:
        return
    run.status, run.stage, run.progress = "running", "load", 1
    session.commit()
    try:
        loading = time.perf_counter()
        base = refreshed_run(session, run)
        comments = load_comments(session, run, texts=not may_refresh(run, base))  # a refresh reads only the new ones
        loaded = time.perf_counter() - loading
        respondents = len({c.respondent_id for c in comments})
        k_text = run_k_text(session, run)
        if not may_release_text(respondents, k_text):
            raise ThemeRunError(f"写了评论的人只有 {respondents} 位，不足 {k_text} 人，为保护匿名不生成主题")
        names = list(session.execute(select(Person.name)).scalars())

        def progress(stage, percent):
            run.stage, run.progress = stage, percent
            session.commit()

        increment = incremental_base(session, run, comments, base)
        if base is not None and increment is not None:  # a refresh always has its base
            started = time.perf_counter()
            new_comments, base_members = increment
            new_comments = attach_texts(session, run, new_comments)
            refresh(session, run, base, new_comments, extra_terms(session), k_text, progress, comments, base_members)
            run.n_comments = len(comments)
            run.timings = {"refresh": round(time.perf_counter() - started, 3)}
            reapply_edits(session, run)
            succeed(session, run)
            return
        if may_refresh(run, base):  # loaded without texts: a full run reads them all, with their stored tokens
            loading = time.perf_counter()
            comments = load_comments(session, run)
            loaded += time.perf_counter() - loading
        pipeline = ThemePipeline(
            random_state=run.params.get("random_state", 0),
            names=names,
            extra_terms=extra_terms(session),
            k_text=k_text,
            progress=progress,
        )
        pipeline.fit(comments)
        run.stage, run.progress = "store", 92
        storing = time.perf_counter()
        store_result(session, run, comments, pipeline)
        run.timings = {"load": round(loaded, 3), **run.timings, "store": round(time.perf_counter() - storing, 3)}
        apply_recurrence(session, run)
        reapply_edits(session, run)
        succeed(session, run)
    except Exception as exc:  # the run records any failure; earlier runs stay as they were
        session.rollback()
        message = str(exc) if isinstance(exc, ThemeRunError) else f"{type(exc).__name__}: {exc}"
        if not isinstance(exc, ThemeRunError):
            current_app.logger.error("theme run %s failed\n%s", run_id, traceback.format_exc())
        fail_run(message, run_id)
        session.commit()
        raise JobFailed(message) from exc


def succeed(session, run: ThemeRun) -> None:
    """The run is done; then its emerging themes are notified (a notification that cannot be queued is logged:
    the run stays succeeded)."""
    run.status, run.stage, run.progress, run.finished_at = "succeeded", "done", 100, utcnow()
    session.commit()
    try:
        notify_emerging(session, run)
    except Exception:  # the themes are stored; the robot is told of them after the next run
        session.rollback()
        current_app.logger.error("emerging themes of run %s not notified\n%s", run.id, traceback.format_exc())


def fail_run(message: str, run_id: int) -> None:
    """Mark a queued or running run failed (its job failed, or its process died); finished runs stay."""
    run = db.session.get(ThemeRun, run_id)
    if run is not None and run.status in ACTIVE:
        run.status, run.error, run.finished_at = "failed", message, utcnow()


def store_result(session, run: ThemeRun, comments: list[Comment], pipeline: ThemePipeline) -> None:
    """The fitted pipeline's themes, memberships, new tokens and timings, stored with the run."""
    result = pipeline.result_
    version = result.dictionary_version
    if result.newly_tokenised:
        insert_rows(
            session,
            AnswerTokens,
            sorted(
                (
                    {
                        "answer_id": comments[i].answer_id,
                        "dictionary_version": version,
                        "tokens": " ".join(result.tokens[i]),
                    }
                    for i in result.newly_tokenised
                ),
                key=itemgetter("answer_id"),
            ),
        )
    run.n_comments = len(comments)
    run.n_non_answers = len(result.non_answers)
    run.timings = {stage: round(seconds, 3) for stage, seconds in pipeline.timings_.items()}
    run.params = {
        **run.params,
        "k": result.k,
        "stability": {str(k): round(v, 3) for k, v in result.stability.items()},
        "non_answer_ids": [comments[i].answer_id for i in result.non_answers],
    }
    for rank, theme in enumerate(result.themes):
        row = Theme(
            run_id=run.id,
            label=theme.label,
            keywords=theme.keywords,
            size=theme.size,
            respondents=theme.respondents,
            negative_respondents=theme.negative_respondents,
            negative_share=round(theme.negative_share, 3),
            cohesion=round(theme.cohesion, 3),
            representatives=[comments[i].text[:500] for i in theme.representatives],
            breakdown=theme.breakdown,
            term_weights=theme.term_weights,
            rank=rank,
            is_other=theme.is_other,
            lineage=str(uuid.uuid4()),
            recurring_quarters=[run.quarter] if run.quarter else [],
        )
        session.add(row)
        session.flush()
        add_members(session, ((row.id, comments[i].answer_id, result.polarities[i]) for i in theme.members))
    session.flush()


def refreshed_run(session, run: ThemeRun) -> ThemeRun | None:
    """The latest succeeded earlier run over the same campaigns: this run refreshes it."""
    candidates = session.execute(
        select(ThemeRun).where(ThemeRun.status == "succeeded", ThemeRun.id != run.id).order_by(ThemeRun.id.desc())
    ).scalars()
    return next((c for c in candidates if sorted(c.campaign_ids) == sorted(run.campaign_ids)), None)


def apply_recurrence(session, run: ThemeRun) -> None:
    """Link new themes to the run they refresh (same campaigns) or else to the previous quarter's."""
    refreshed = refreshed_run(session, run)
    if refreshed is not None:
        new = [t for t in session.execute(select(Theme).where(Theme.run_id == run.id)).scalars() if not t.is_other]
        old = [t for t in refreshed.themes if not t.is_other and t.merged_into_id is None]
        for new_index, old_index in match([t.term_weights for t in old], [t.term_weights for t in new]).items():
            current, before = new[new_index], old[old_index]
            current.lineage, current.custom_label = before.lineage, before.custom_label
            current.recurring_quarters, current.growth = before.recurring_quarters, before.growth
        session.flush()
        return
    earlier = previous_run(session, run)
    if earlier is None:
        return
    run.previous_run_id = earlier.id
    old = [t for t in earlier.themes if not t.is_other and not t.is_noise]
    new = [t for t in session.execute(select(Theme).where(Theme.run_id == run.id)).scalars() if not t.is_other]
    for new_index, old_index in match([t.term_weights for t in old], [t.term_weights for t in new]).items():
        current, before = new[new_index], old[old_index]
        current.lineage = before.lineage
        current.custom_label = before.custom_label
        current.recurring_quarters = sorted(set(before.recurring_quarters or []) | {run.quarter})
        current.growth = growth(current.respondents, before.respondents)
    session.flush()
