"""Response frames: a campaign's responses loaded into pandas (per-response scores joined with their stored
segments and release steps); one query per campaign, with a small process cache.

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
from analysis.segments import overall_scores, summarise
from app.instruments import instrument_for
from app.models import Answer, Campaign, Response
from surveys import score_frame
from surveys.model import Instrument
from surveys.scoring import favourability_frame

CACHE_SIZE = 8


@dataclass
class CampaignData:
    """Per-response scores joined with their stored segment and release step, and the definition.

    Figures are computed for a release step: only responses of that step or earlier count
    (`at_step`); which step a group may show is the release state's decision (`app.results.releases`)."""

    campaign_id: int
    n: int
    scores: pd.DataFrame
    definition: Instrument
    levels: int
    favourability: pd.DataFrame  # favourability of every scored answer, by response
    summaries: dict = field(default_factory=dict)
    overalls: dict = field(default_factory=dict)
    steps: dict = field(default_factory=dict)
    comment_flags_: pd.DataFrame | None = None
    shares_: dict = field(default_factory=dict)
    derived: dict = field(default_factory=dict)  # what pages derive from these frames, by their own keys

    def favourability_at(self, step: int, members: pd.Index | None = None) -> pd.DataFrame:
        """Favourability of every scored answer (`surveys.scoring.favourability_frame`) of the responses of
        `step` or earlier, optionally only of `members` (an index of those responses)."""
        index = self.at_step(step).index if members is None else members
        return self.favourability.loc[index]

    def at_step(self, step: int) -> pd.DataFrame:
        if step not in self.steps:
            self.steps[step] = self.scores[self.scores["release_step"] <= step]
        return self.steps[step]

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

    def negative_share(self, session, dimension: str | None, step: int) -> dict:
        """Share of commenting respondents with a negative comment at a step, overall (key None) or per value."""
        key = (dimension, step)
        if key not in self.shares_:
            self.shares_[key] = self._negative_share(session, dimension, step)
        return self.shares_[key]

    def _negative_share(self, session, dimension, step):
        flags = self.comment_flags(session)
        if flags.empty:
            return {}
        scores = self.at_step(step)
        joined = flags.join(scores[[dimension]] if dimension else scores[[]], how="inner")
        if dimension is None:
            return {None: (float(joined["negative"].mean()), len(joined))} if len(joined) else {}
        grouped = joined.groupby(dimension, observed=True)["negative"]
        return {
            value: (float(mean), int(count))
            for value, mean, count in zip(grouped.mean().index, grouped.mean().values, grouped.count().values)
        }

    def summary(self, dimension: str, step: int) -> dict:
        """Per-group figures and comparisons of one dimension at a step, by group value (computed once)."""
        key = (dimension, step)
        if key not in self.summaries:
            scores = self.at_step(step)
            groups = summarise(scores, [dimension])[1] if len(scores) and dimension in scores.columns else []
            self.summaries[key] = {group.key[0][1]: group for group in groups}
        return self.summaries[key]

    def overall(self, step: int):
        if step not in self.overalls:
            self.overalls[step] = overall_scores(self.at_step(step))
        return self.overalls[step]


_cache: OrderedDict = OrderedDict()
_lock = Lock()


def response_count(session, campaign_id: int) -> int:
    return session.execute(select(func.count(Response.id)).where(Response.campaign_id == campaign_id)).scalar_one()


def campaign_data(session, campaign: Campaign) -> CampaignData:
    n = response_count(session, campaign.id)
    key = (campaign.id, n, campaign.release_step, campaign.instrument_version.definition_hash)
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
            Response.release_step,
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
    segments["release_step"] = pd.to_numeric(frame["release_step"], errors="coerce").fillna(-1).astype("int64")
    segments.loc[frame["release_step"].isna(), "release_step"] = 2**62  # waiting: in no step yet
    numeric = frame[codes].apply(pd.to_numeric, errors="coerce")
    scores = score_frame(definition, numeric).join(segments)
    levels = sum(1 for c in segments.columns if c.startswith("dept_"))
    return CampaignData(
        campaign_id=campaign.id,
        n=n,
        scores=scores,
        definition=definition,
        levels=levels,
        favourability=favourability_frame(definition, numeric),
    )


def clear_cache() -> None:
    """Forget every cached frame (and the release state's audiences): tests start fresh databases."""
    from app.results import releases

    with _lock:
        _cache.clear()
    releases.clear_cache()


__all__ = ["CampaignData", "campaign_data", "clear_cache"]
