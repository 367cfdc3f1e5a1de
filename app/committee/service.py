"""Creating suggestions (by hand, from themes, from the public box), publishing, board data, receipts."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import func, select

from app.instruments import module_names, modules_in_use
from app.models import (
    Answer,
    AuditLog,
    Response,
    Suggestion,
    SuggestionEvent,
    SuggestionTheme,
    Theme,
    ThemeMember,
)
from app.models.types import is_id, utcnow
from app.respond.service import new_receipt_code, receipt_hash
from app.themes.released import ShownTheme, theme_as_shown
from surveys.definitions import N_
from surveys.i18n import gettext as translate

OTHER = "other"  # the category a suggestion has when it concerns no module of the instruments in use
OTHER_LABEL = N_("其他")
TITLE_MAX, DESCRIPTION_MAX = 200, 5000


class SuggestionError(ValueError):
    pass


def module_choices(session, language: str = "zh") -> dict[str, str]:
    """The modules a new suggestion may name (code → name in `language`): those of the instruments in use,
    then 其他."""
    choices = {module.code: module.label(language) for module in modules_in_use(session)}
    choices[OTHER] = translate(OTHER_LABEL, language)
    return choices


def module_labels(session, language: str = "zh", published_only: bool = False) -> dict[str, str]:
    """Names of every module a suggestion can show: the modules of the instruments in use, those existing
    suggestions keep after an instrument changed (named as the last version that had them), and 其他."""
    labels = module_choices(session, language)
    held = select(Suggestion.module).distinct().where(Suggestion.module.is_not(None))
    if published_only:
        held = held.where(Suggestion.published.is_(True))
    names = module_names(session)
    for code in session.execute(held).scalars():
        if code not in labels:
            labels[code] = names[code].label(language) if code in names else code
    return labels


def unknown_module_message(module: object, allowed) -> str:
    return f"未知模块“{module}”，可用：{'、'.join(allowed)}"


def clean_text(value: str | None, limit: int, field: str, required: bool = True) -> str:
    from surveys.forms import has_unstorable_characters

    text = (value or "").strip()
    if required and not text:
        raise SuggestionError(f"请填写{field}")
    if len(text) > limit:
        raise SuggestionError(f"{field}最多 {limit} 字，当前 {len(text)} 字")
    if has_unstorable_characters(text):
        raise SuggestionError(f"{field}中含有无法保存的特殊字符")
    return text


def _log(session, actor_id, action, suggestion, detail=None):
    session.add(
        AuditLog(
            actor_id=actor_id,
            action=action,
            target_type="suggestion",
            target_id=str(suggestion.id),
            detail=detail or {},
        )
    )


def create_suggestion(
    session,
    title,
    description,
    module,
    creator_id=None,
    source=None,
    proposer_role=None,
    box_department=None,
    theme_ids=(),
) -> Suggestion:
    """A new suggestion (status submitted), from the page, the API or the box; `source` defaults to 'theme'
    when it comes from themes and 'manual' otherwise."""
    source = source or ("theme" if theme_ids else "manual")
    module = module or None
    if module is not None:
        allowed = module_choices(session)
        if module not in allowed:
            raise SuggestionError(unknown_module_message(module, allowed))
    suggestion = Suggestion(
        title=clean_text(title, TITLE_MAX, "标题"),
        description=clean_text(description, DESCRIPTION_MAX, "说明", required=False),
        module=module,
        source=source,
        proposer_role=proposer_role,
        box_department=box_department,
        created_by_id=creator_id,
        status="submitted",
    )
    session.add(suggestion)
    session.flush()
    for theme_id in theme_ids:
        attach_theme(session, suggestion, theme_id)
    session.add(
        SuggestionEvent(
            suggestion=suggestion, actor_id=creator_id, from_status=None, to_status="submitted", created_at=utcnow()
        )
    )
    _log(session, creator_id, "suggestion.create", suggestion, {"source": source})
    session.flush()
    return suggestion


def attach_theme(session, suggestion: Suggestion, theme_id: int) -> None:
    theme = session.get(Theme, theme_id) if is_id(theme_id) else None
    if theme is None or theme.is_other:
        raise SuggestionError(f"主题 {theme_id} 不存在或不能作为建议来源")
    exists = session.get(SuggestionTheme, (suggestion.id, theme_id))
    if exists is None:
        session.add(SuggestionTheme(suggestion_id=suggestion.id, theme_id=theme_id))


def suggestion_for_lineage(session, lineage: str | None) -> Suggestion | None:
    """A suggestion already fed by an earlier theme of the same lineage (a recurring complaint)."""
    if not lineage:
        return None
    return session.execute(
        select(Suggestion)
        .join(SuggestionTheme)
        .join(Theme, SuggestionTheme.theme_id == Theme.id)
        .where(Theme.lineage == lineage)
        .order_by(Suggestion.id)
        .limit(1)
    ).scalar_one_or_none()


def theme_draft(item: ShownTheme) -> dict:
    """Pre-filled suggestion for a theme: title, keywords, how many people, two quotes — each only as far as
    the theme's release allows (a theme below k_text pre-fills neither its words nor its quotes)."""
    theme, release = item.theme, item.release
    people = f"{theme.respondents} 位员工" if release.shown else f"少于 {item.k_text} 位员工"
    lines = [f"关键词：{'、'.join(theme.keywords)}"] if release.keywords else []
    lines.append(f"{people}在评论中提到（{theme.run.quarter or ''}）。")
    if release.quotes:
        lines += ["代表性意见：", "\n".join(f"“{quote}”" for quote in theme.representatives[:2])]
    return {"title": item.label[:TITLE_MAX], "description": "\n".join(lines)[:DESCRIPTION_MAX]}


def promote_theme(session, theme: Theme, title: str, description: str, module: str | None, creator_id: int):
    """One click from a theme; a theme that recurs attaches to the suggestion its lineage already feeds."""
    existing = suggestion_for_lineage(session, theme.lineage)
    if existing is not None:
        attach_theme(session, existing, theme.id)
        _log(session, creator_id, "suggestion.attach_theme", existing, {"theme_id": theme.id})
        session.flush()
        return existing, False
    return create_suggestion(
        session, title, description, module, creator_id, source="theme", theme_ids=[theme.id]
    ), True


def publish(session, suggestion: Suggestion, actor_id: int) -> None:
    if not suggestion.published:
        suggestion.published = True
        suggestion.published_at = utcnow()
        _log(session, actor_id, "suggestion.publish", suggestion)
        session.flush()


def origin(session, suggestion: Suggestion, k: int) -> dict:
    """Themes that fed a suggestion: distinct respondents (shown only when ≥ k) and the quarters seen."""
    themes = (
        session.execute(
            select(Theme)
            .join(SuggestionTheme, SuggestionTheme.theme_id == Theme.id)
            .where(SuggestionTheme.suggestion_id == suggestion.id)
        )
        .scalars()
        .all()
    )
    quarters = sorted(
        {q for t in themes for q in (t.recurring_quarters or []) + ([t.run.quarter] if t.run.quarter else [])}
    )
    respondents = 0
    if themes:
        respondents = session.execute(
            select(func.count(func.distinct(Answer.response_id)))
            .join(ThemeMember, ThemeMember.answer_id == Answer.id)
            .where(ThemeMember.theme_id.in_([t.id for t in themes]))
        ).scalar_one()
    labels = [shown.label for shown in (theme_as_shown(session, t) for t in themes) if shown.label]
    return {
        "themes": themes,
        "labels": labels,
        "quarters": quarters,
        "respondents": respondents if respondents >= k else None,
    }


def suggestion_dict(session, suggestion: Suggestion, k: int) -> dict:
    """A suggestion as the API shows it; `respondents` only when at least k people stand behind its themes."""
    seen = origin(session, suggestion, k)
    return {
        "id": suggestion.id,
        "title": suggestion.title,
        "description": suggestion.description,
        "module": suggestion.module,
        "status": suggestion.status,
        "published": suggestion.published,
        "decision_note": suggestion.decision_note,
        "target_quarter": suggestion.target_quarter,
        "respondents": seen["respondents"],
        "quarters": seen["quarters"],
        "theme_ids": [t.id for t in seen["themes"]],
        "events": [
            {"from": e.from_status, "to": e.to_status, "note": e.note, "at": e.created_at.isoformat()}
            for e in suggestion.events
        ],
    }


def board_summary(session, quarter_start, quarter_end) -> dict:
    """本季度收到 N 条, 采纳 M 条, 已实施 K 条 — from the events inside the quarter."""
    events = session.execute(
        select(SuggestionEvent.to_status, func.count())
        .join(Suggestion)
        .where(
            Suggestion.published.is_(True),
            SuggestionEvent.created_at >= quarter_start,
            SuggestionEvent.created_at < quarter_end,
        )
        .group_by(SuggestionEvent.to_status)
    ).all()
    counts = Counter(dict(events))
    return {"received": counts["submitted"], "adopted": counts["adopted"], "implemented": counts["implemented"]}


def issue_box_receipt(suggestion: Suggestion) -> str:
    """A receipt code for a suggestion-box entry (shown once, stored hashed like a response's)."""
    code = new_receipt_code()
    suggestion.receipt_hash = receipt_hash(code)
    return code


def receipt_lookup(session, code: str) -> dict | None:
    """For one response only: the themes its comments joined and the published suggestions they feed. For a
    suggestion-box entry: that entry (its status; the board links it once it is published)."""
    hashed = receipt_hash(code)
    response_id = session.execute(select(Response.id).where(Response.receipt_hash == hashed)).scalar_one_or_none()
    if response_id is None:
        box = session.execute(select(Suggestion).where(Suggestion.receipt_hash == hashed)).scalar_one_or_none()
        return {"box": box, "themes": [], "suggestions": []} if box else None
    themes = (
        session.execute(
            select(Theme)
            .join(ThemeMember, ThemeMember.theme_id == Theme.id)
            .join(Answer, ThemeMember.answer_id == Answer.id)
            .where(Answer.response_id == response_id, Theme.is_other.is_(False), Theme.merged_into_id.is_(None))
        )
        .scalars()
        .all()
    )
    lineages = {t.lineage for t in themes if t.lineage}
    suggestions = []
    if lineages:
        suggestions = (
            session.execute(
                select(Suggestion)
                .distinct()
                .join(SuggestionTheme)
                .join(Theme, SuggestionTheme.theme_id == Theme.id)
                .where(Theme.lineage.in_(lineages), Suggestion.published.is_(True))
                .order_by(Suggestion.id)
            )
            .scalars()
            .all()
        )
    labels = sorted({shown.label for shown in (theme_as_shown(session, t) for t in themes) if shown.label})
    return {"themes": labels, "suggestions": suggestions}


OPEN_STATUSES = ("submitted", "under_review", "adopted", "in_progress")


def open_suggestions(session, limit: int = 5) -> dict:
    """Suggestions still open (submitted, under review, adopted, in progress): counts by status and the
    most recently changed few."""
    counts = dict(
        session.execute(
            select(Suggestion.status, func.count(Suggestion.id))
            .where(Suggestion.status.in_(OPEN_STATUSES))
            .group_by(Suggestion.status)
        ).all()
    )
    recent = session.execute(
        select(Suggestion)
        .where(Suggestion.status.in_(OPEN_STATUSES))
        .order_by(Suggestion.updated_at.desc(), Suggestion.id.desc())
        .limit(limit)
    ).scalars()
    return {
        "counts": [(s, counts[s]) for s in OPEN_STATUSES if counts.get(s)],
        "total": sum(counts.values()),
        "recent": list(recent),
    }


def queue_by_status(session) -> list[tuple[str, list[Suggestion]]]:
    """The committee's queue: every suggestion not yet final, grouped by status in the order work flows."""
    suggestions = session.execute(
        select(Suggestion).where(Suggestion.status.in_(OPEN_STATUSES)).order_by(Suggestion.updated_at)
    ).scalars()
    groups: dict[str, list[Suggestion]] = {status: [] for status in OPEN_STATUSES}
    for suggestion in suggestions:
        groups[suggestion.status].append(suggestion)
    return [(status, groups[status]) for status in OPEN_STATUSES if groups[status]]
