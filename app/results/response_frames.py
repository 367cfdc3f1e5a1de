"""Response frames: a campaign's responses loaded into pandas (per-response scores joined with their
segments) with the release plans over them; one query per campaign, with a small process cache.

The cache only saves work: any worker can rebuild an entry, and entries are keyed by the number of
responses, so a new submission makes the next request rebuild.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field
from threading import Lock

import pandas as pd
from sqlalchemy import case, func, select

from analysis.frames import add_department_levels
from analysis.privacy import release_plan
from analysis.segments import overall_scores, summarise
from app.instruments import instrument_for
from app.models import Answer, Campaign, Response
from surveys import score_frame

CACHE_SIZE = 8
PLAN_DIMENSIONS_FIXED = ["role", "wave"]


@dataclass
class CampaignData:
    """Per-response scores joined with segment columns, the release plan, and the definition."""

    campaign_id: int
    n: int
    scores: pd.DataFrame
    plan: dict
    plan_frame: pd.DataFrame
    dimensions: list
    k_text: int
    definition: object
    levels: int
    summaries: dict = field(default_factory=dict)
    overall_: object = None
    plan_text_: dict | None = None
    comment_flags_: pd.DataFrame | None = None
    shares_: dict = field(default_factory=dict)
    campaign_: object = None

    def comment_flags(self, session) -> pd.DataFrame:
        """Per response that commented: whether any of its comments reads as negative (one query, cached)."""
        if self.comment_flags_ is None:
            from analysis.text.nonanswers import is_non_answer
            from analysis.text.normalise import normalise
            from analysis.text.polarity import polarity

            codes = [q.code for q in self.definition.text_questions]
            rows = session.execute(
                select(Answer.response_id, Answer.value_text)
                .join(Response)
                .where(
                    Response.campaign_id == self.campaign_id,
                    Answer.question_code.in_(codes),
                    Answer.value_text.is_not(None),
                )
            ).all()
            flags: dict = {}
            for response_id, text in rows:
                normalised = normalise(text)
                if is_non_answer(normalised):
                    continue
                flags[response_id] = flags.get(response_id, False) or polarity(normalised) == "negative"
            self.comment_flags_ = pd.DataFrame({"negative": pd.Series(flags, dtype=bool)})
        return self.comment_flags_

    def negative_share(self, session, dimension: str | None = None) -> dict:
        """Share of commenting respondents with a negative comment, overall (key None) or per group value."""
        if dimension in self.shares_:
            return self.shares_[dimension]
        self.shares_[dimension] = self._negative_share(session, dimension)
        return self.shares_[dimension]

    def _negative_share(self, session, dimension):
        flags = self.comment_flags(session)
        if flags.empty:
            return {}
        joined = flags.join(self.scores[[dimension]] if dimension else self.scores[[]], how="inner")
        if dimension is None:
            return {None: (float(joined["negative"].mean()), len(joined))}
        grouped = joined.groupby(dimension, observed=True)["negative"]
        return {
            value: (float(mean), int(count))
            for value, mean, count in zip(grouped.mean().index, grouped.mean().values, grouped.count().values)
        }

    @property
    def plan_text(self) -> dict:
        """The release plan at the comment threshold k_text, computed when comments are first asked for."""
        if self.plan_text_ is None:
            self.plan_text_ = release_plan(self.plan_frame, self.dimensions, self.k_text)
        return self.plan_text_

    def summary(self, dimension: str):
        """Per-group figures and comparisons of one dimension, computed once per cached entry."""
        if dimension not in self.summaries:
            self.summaries[dimension] = summarise(self.scores, [dimension])[1]
        return self.summaries[dimension]

    def overall(self):
        if self.overall_ is None:
            self.overall_ = overall_scores(self.scores)
        return self.overall_


_cache: OrderedDict = OrderedDict()
_lock = Lock()


def response_count(session, campaign_id: int) -> int:
    return session.execute(select(func.count(Response.id)).where(Response.campaign_id == campaign_id)).scalar_one()


def campaign_data(session, campaign: Campaign) -> CampaignData:
    n = response_count(session, campaign.id)
    key = (campaign.id, n, campaign.min_group, campaign.min_group_text, campaign.instrument_version.definition_hash)
    with _lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
    data = _build(session, campaign, n)
    with _lock:
        _cache[key] = data
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)
    return data


def wide_query(campaign: Campaign, codes: list[str]):
    """One query: every response of the campaign with its segment and one column per numeric answer."""
    columns = [func.max(case((Answer.question_code == code, Answer.value_number))).label(code) for code in codes]
    return (
        select(
            Response.id.label("response_id"),
            Response.role,
            Response.department_path.label("department"),
            Response.wave,
            *columns,
        )
        .select_from(Response)
        .outerjoin(Answer, Answer.response_id == Response.id)
        .where(Response.campaign_id == campaign.id)
        .group_by(Response.id)
    )  # the rest depends on the key


def _build(session, campaign: Campaign, n: int) -> CampaignData:
    definition = instrument_for(campaign.instrument_version)
    codes = [q.code for q in definition.questions if q.value_range is not None]
    result = session.execute(wide_query(campaign, codes))
    columns = list(result.keys())
    frame = pd.DataFrame.from_records([tuple(row) for row in result], columns=columns)
    frame = frame.set_index("response_id")
    segments = frame[["role", "department", "wave"]].copy()
    segments["quarter"] = campaign.quarter
    segments = add_department_levels(segments)
    scores = score_frame(definition, frame[codes].apply(pd.to_numeric, errors="coerce")).join(segments)
    levels = sum(1 for c in segments.columns if c.startswith("dept_"))
    dimensions = PLAN_DIMENSIONS_FIXED + [f"dept_{level}" for level in range(1, levels + 1)]
    plan_frame = segments.reset_index(drop=True)
    return CampaignData(
        campaign_id=campaign.id,
        n=n,
        scores=scores,
        plan=release_plan(plan_frame, dimensions, campaign.min_group),
        plan_frame=plan_frame,
        dimensions=dimensions,
        k_text=campaign.min_group_text,
        definition=definition,
        levels=levels,
    )


def clear_cache() -> None:
    with _lock:
        _cache.clear()


__all__ = ["CampaignData", "campaign_data", "clear_cache"]
