"""Emerging themes: a theme new this quarter with k_text respondents, or grown by half against last quarter
(`analysis.text.recurrence.emerging`), among the themes of a run that may be shown. The themes page flags them,
the results home can ask `emerging_themes` or `for_campaign`, and each is notified once per quarter to the
committee's DingTalk robot (the webhook of `app.committee.notify`).

Last quarter's count is read only from a theme that could be shown then: a theme that was below its run's
k_text counts as absent, so "new" tells nothing of how small it was.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from analysis.privacy import may_release_text
from analysis.text.recurrence import emerging
from app.delivery.dingtalk import escape_markdown
from app.jobs import enqueue
from app.models import ThemeRun, WebhookDelivery
from app.themes.released import ShownTheme, released_themes, run_k_text


@dataclass(frozen=True)
class EmergingTheme:
    item: ShownTheme
    kind: str  # new, growing
    previous: int | None  # last quarter's respondents (growing only)

    @property
    def growth(self) -> float | None:
        if not self.previous:
            return None
        return (self.item.theme.respondents - self.previous) / self.previous


def previous_run(session, run: ThemeRun) -> ThemeRun | None:
    """The latest succeeded run of an earlier quarter: recurrence links to it, emerging compares with it."""
    if not run.quarter:
        return None
    return session.execute(
        select(ThemeRun)
        .where(ThemeRun.status == "succeeded", ThemeRun.quarter < run.quarter)
        .order_by(ThemeRun.quarter.desc(), ThemeRun.id.desc())
        .limit(1)
    ).scalar_one_or_none()


def last_quarter_counts(session, earlier: ThemeRun) -> dict[str, int]:
    """Respondents by lineage of last quarter's themes that could be shown."""
    k_text = run_k_text(session, earlier)
    return {
        t.lineage: t.respondents
        for t in earlier.themes
        if t.lineage and t.merged_into_id is None and not t.is_other and may_release_text(t.respondents, k_text)
    }


def emerging_themes(session, run: ThemeRun) -> list[EmergingTheme]:
    """The run's emerging themes (shown, not the catch-all, not noise); none without an earlier quarter's run."""
    earlier = previous_run(session, run) if run.status == "succeeded" else None
    if earlier is None:
        return []
    before = last_quarter_counts(session, earlier)
    released = released_themes(session, run)
    found = []
    for item in released.themes:
        theme = item.theme
        if theme.is_other or theme.is_noise:
            continue
        previous = before.get(theme.lineage) if theme.lineage is not None else None
        kind = emerging(theme.respondents, previous, released.k_text)
        if kind is not None:
            found.append(EmergingTheme(item, kind, previous if kind == "growing" else None))
    return found


def for_campaign(session, campaign_id: int) -> list[EmergingTheme]:
    """The emerging themes of the latest succeeded run over the campaign (for the results home)."""
    runs = session.execute(
        select(ThemeRun).where(ThemeRun.status == "succeeded").order_by(ThemeRun.id.desc()).limit(50)
    ).scalars()
    run = next((r for r in runs if campaign_id in (r.campaign_ids or [])), None)
    return emerging_themes(session, run) if run is not None else []


def message(found: EmergingTheme, quarter: str) -> dict:
    """The robot's markdown: the theme's name (escaped) and why it is flagged."""
    theme = found.item.theme
    label = escape_markdown(found.item.label)
    growth = found.growth
    if found.kind == "new" or growth is None:  # a growing theme had respondents last quarter
        why = _("%(q)s 新出现，%(n)s 人提到", q=quarter, n=theme.respondents)
    else:
        why = _(
            "%(q)s 比上季度增长 %(p)s%%（%(a)s → %(b)s 人）",
            q=quarter,
            p=round(100 * growth),
            a=found.previous,
            b=theme.respondents,
        )
    title = _("新出现的意见主题")
    return {"msgtype": "markdown", "markdown": {"title": title, "text": f"### {title}\n\n**{label}**\n\n{why}"}}


def notify_emerging(session, run: ThemeRun) -> list[WebhookDelivery]:
    """Queue one robot message per emerging theme not yet notified this quarter (once per lineage and quarter)."""
    if not current_app.config.get("NOTIFY_WEBHOOK_URL") or not run.quarter:
        return []
    queued = []
    for found in emerging_themes(session, run):
        key = f"theme.emerging:{run.quarter}:{found.item.theme.lineage}"
        if session.execute(select(WebhookDelivery.id).where(WebhookDelivery.once_key == key)).first():
            continue
        delivery = WebhookDelivery(event="theme.emerging", once_key=key, payload=message(found, run.quarter))
        session.add(delivery)
        try:
            session.commit()
        except IntegrityError:  # another run of the quarter notified it at the same moment
            session.rollback()
            continue
        queued.append(delivery)
    for delivery in queued:
        enqueue(
            "webhook",
            delivery.id,
            target=("theme_run", run.id),
            retry_delays=current_app.config["NOTIFY_RETRY_SECONDS"],
        )
    session.commit()  # on SQLite an open transaction would hold the write lock the delivery jobs need
    return queued
