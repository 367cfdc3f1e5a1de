"""Result views (overall, by role / department level / wave / quarter, crossed) as plain dicts.

Every group goes through the campaign's release plan (`analysis.privacy.release_plan`) and the
time rule (`analysis.privacy.release_over_time`, with snapshots stored in `release_snapshots`);
the page, the JSON API and the exports all use these functions, so they release the same figures.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from analysis.privacy import Release, Snapshot, release_over_time, suppression_message
from analysis.quarters import Quarter
from analysis.segments import aggregate
from app.campaigns.service import availability
from app.models import ROLE_LABELS, Campaign, InstrumentVersion, ReleaseSnapshot
from app.results.response_frames import campaign_data
from app.sqlite import write_transaction
from surveys.scoring import nest_scores

BY_CHOICES = ("role", "department", "wave", "quarter")


def dimension_for(by: str, level: int) -> str:
    return {"role": "role", "wave": "wave", "department": f"dept_{level}"}[by]


class SnapshotStore:
    """Released figures per (campaign, view, segment), read once per request; changes saved at the end.

    Changes are collected, then written in a short write transaction of their own, so a page read
    never turns into a write half-way (which SQLite would refuse under concurrent submissions).
    """

    def __init__(self, session, campaign: Campaign):
        self.session = session
        self.campaign = campaign
        self.rows = {
            (row.view_key, row.segment_key): (row.n, row.payload)
            for row in session.execute(
                select(ReleaseSnapshot).where(ReleaseSnapshot.campaign_id == campaign.id)
            ).scalars()
        }
        self.closed = availability(campaign) == "closed"
        self.changes: dict = {}

    def release(self, view_key: str, segment_key: str, n: int, figures: dict):
        row = self.rows.get((view_key, segment_key))
        last = Snapshot(*row) if row is not None else None
        decision = release_over_time(n, figures, last, self.campaign.min_group, self.closed)
        if decision.store:
            self.rows[(view_key, segment_key)] = (n, figures)
            self.changes[(view_key, segment_key)] = (n, figures)
        return decision

    def save(self) -> None:
        if not self.changes:
            return
        campaign_id = self.campaign.id
        self.session.commit()
        try:
            with write_transaction(self.session):
                existing = {
                    (row.view_key, row.segment_key): row
                    for row in self.session.execute(
                        select(ReleaseSnapshot).where(ReleaseSnapshot.campaign_id == campaign_id)
                    ).scalars()
                }
                for (view_key, segment_key), (n, figures) in self.changes.items():
                    row = existing.get((view_key, segment_key))
                    if row is None:
                        self.session.add(
                            ReleaseSnapshot(
                                campaign_id=campaign_id,
                                view_key=view_key,
                                segment_key=segment_key,
                                n=n,
                                payload=figures,
                            )
                        )
                    else:
                        row.n, row.payload = n, figures
        except IntegrityError:  # another worker stored the same snapshot at the same moment
            pass
        self.changes = {}


def _released_group(
    store: SnapshotStore, view_key: str, segment_key: str, decision: Release, group_scores, language: str
) -> dict:
    if decision.suppressed:
        k = store.campaign.min_group
        return {
            "suppressed": True,
            "n": f"<{k}" if decision.reason == "below_k" else None,
            "reason": decision.reason,
            "message": suppression_message(decision.reason, k, language),
            "scores": None,
        }
    timed = store.release(
        view_key,
        segment_key,
        group_scores.n,
        {"scores": group_scores.scores, "barrier_points": group_scores.barrier_points},
    )
    result = {
        "suppressed": False,
        "n": timed.n,
        "scores": timed.figures["scores"],
        "barrier_points": timed.figures.get("barrier_points"),
        "stale": timed.stale,
    }
    if timed.stale:
        result["message"] = suppression_message("stale", store.campaign.min_group, language)
    return result


def campaign_summary(campaign: Campaign) -> dict:
    version = campaign.instrument_version
    return {
        "id": campaign.id,
        "title": campaign.title,
        "quarter": campaign.quarter,
        "instrument": version.instrument.slug,
        "status": availability(campaign),
        "min_group": campaign.min_group,
        "min_group_text": campaign.min_group_text,
    }


def overall(session, campaign: Campaign, language: str = "zh", store: SnapshotStore | None = None) -> dict:
    data = campaign_data(session, campaign)
    own_store = store is None
    store = store or SnapshotStore(session, campaign)
    decision = data.plan[()]
    group = data.overall() if data.n else None
    result = (
        _released_group(store, "overall", "", decision, group, language)
        if group
        else {
            "suppressed": True,
            "n": f"<{campaign.min_group}",
            "reason": "below_k",
            "message": suppression_message("below_k", campaign.min_group, language),
            "scores": None,
        }
    )
    if own_store:
        store.save()
    return result


def results(
    session, campaign: Campaign, by: str = "role", level: int = 2, language: str = "zh", negative_share: bool = False
) -> dict:
    """The API and page view: overall plus one entry per segment of `by`.

    With `negative_share`, groups that meet k_text also carry the share of their commenting respondents
    with a negative comment (it reads every comment once per campaign, so it is asked for, not default).
    """
    if by == "quarter":
        return quarter_results(session, campaign, language)
    data = campaign_data(session, campaign)
    level = max(1, min(level, max(data.levels, 1)))
    dimension = dimension_for(by, level)
    store = SnapshotStore(session, campaign)
    result = {
        "campaign": campaign_summary(campaign),
        "by": by,
        "overall": _api_group(overall(session, campaign, language, store)),
        "segments": [],
    }
    negative_share = negative_share and bool(data.definition.text_questions)
    if negative_share and data.n and not data.plan_text[()].suppressed:
        share = data.negative_share(session).get(None)
        if share is not None:
            result["overall"]["negative_comment_share"] = round(share[0], 3)
    if by == "department":
        result["level"] = level
    if data.n and dimension in data.scores.columns:
        shares = data.negative_share(session, dimension) if negative_share else {}
        for group in sorted(data.summary(dimension), key=lambda g: str(g.key)):
            value = group.key[0][1]
            released = _released_group(
                store,
                dimension,
                str(value),
                data.plan.get(group.key, Release.hidden("below_k", campaign.min_group)),
                group,
                language,
            )
            entry = {
                "key": value,
                "label": ROLE_LABELS.get(value, value) if by == "role" else value,
                **_api_group(released),
            }
            if not released["suppressed"] and not released.get("stale"):
                entry["comparison"] = {metric: vars(c) for metric, c in group.comparisons.items()}
            text_release = data.plan_text.get(group.key) if shares else None
            if (
                not released["suppressed"]
                and value in shares
                and text_release is not None
                and not text_release.suppressed
            ):
                entry["negative_comment_share"] = round(shares[value][0], 3)
            result["segments"].append(entry)
    store.save()
    return result


def _api_group(released: dict) -> dict:
    out = {"n": released["n"], "suppressed": released["suppressed"], "scores": nest_scores(released["scores"])}
    for optional in ("reason", "message", "barrier_points", "stale"):
        if released.get(optional) is not None:
            out[optional] = released[optional]
    return out


def same_instrument_campaigns(session, campaign: Campaign) -> list[Campaign]:
    instrument_id = campaign.instrument_version.instrument_id
    return list(
        session.execute(
            select(Campaign)
            .join(InstrumentVersion, Campaign.instrument_version_id == InstrumentVersion.id)
            .where(InstrumentVersion.instrument_id == instrument_id)
            .order_by(Campaign.quarter, Campaign.id)
        ).scalars()
    )


def quarter_results(session, campaign: Campaign, language: str = "zh") -> dict:
    """The campaign's instrument quarter over quarter: each quarter's campaign overall, as released."""
    segments = []
    for other in same_instrument_campaigns(session, campaign):
        if other.quarter > campaign.quarter:
            continue
        released = overall(session, other, language)
        segments.append({"key": other.quarter, "label": other.quarter, "campaign_id": other.id, **_api_group(released)})
    return {
        "campaign": campaign_summary(campaign),
        "by": "quarter",
        "overall": _api_group(overall(session, campaign, language)),
        "segments": segments,
    }


def previous_campaign(session, campaign: Campaign) -> Campaign | None:
    target = str(Quarter.parse(campaign.quarter, exact=True).previous)
    for other in reversed(same_instrument_campaigns(session, campaign)):
        if other.quarter == target:
            return other
    return None


def headline(session, campaign: Campaign, language: str = "zh") -> dict:
    """Overall scores with the change against last quarter's campaign of the same instrument."""
    current = overall(session, campaign, language)
    before_campaign = previous_campaign(session, campaign)
    before = overall(session, before_campaign, language) if before_campaign else None
    trends = {}
    if current["scores"] and before and before["scores"]:
        for key, value in current["scores"].items():
            old = before["scores"].get(key)
            if isinstance(value, (int, float)) and isinstance(old, (int, float)):
                trends[key] = round(value - old, 2)
    return {"current": current, "previous": before, "previous_campaign": before_campaign, "trends": trends}


__all__ = ["BY_CHOICES", "aggregate", "headline", "results"]
