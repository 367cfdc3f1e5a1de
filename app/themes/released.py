"""What of a run's themes may be shown, as the run page, the API, the CLI, the report and the suggestion
pre-fill ask it: the run's text threshold and each theme's release (`analysis.text.release`)."""

from __future__ import annotations

from flask import current_app
from sqlalchemy import func, select

from app.models import Campaign, ThemeRun


def run_k_text(session, run: ThemeRun) -> int:
    """The run's k_text: the largest `min_group_text` of its campaigns, as stored when the run was created
    or as the campaigns hold it now, whichever is larger (a threshold raised later applies to earlier runs)."""
    current = session.execute(
        select(func.max(Campaign.min_group_text)).where(Campaign.id.in_(run.campaign_ids or []))
    ).scalar()
    thresholds = [k for k in ((run.params or {}).get("k_text"), current) if k is not None]
    return max(thresholds) if thresholds else current_app.config["ANONYMITY_MIN_GROUP_TEXT"]
