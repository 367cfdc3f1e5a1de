"""Theme runs and themes as JSON (CLI and API share it); a theme carries only what its release allows."""

from app.models import ThemeRun
from app.themes.released import ReleasedThemes, ShownTheme


def run_dict(run: ThemeRun, released: ReleasedThemes) -> dict:
    return {
        "id": run.id,
        "campaign_ids": run.campaign_ids,
        "quarter": run.quarter,
        "status": run.status,
        "stage": run.stage,
        "progress": run.progress,
        "error": run.error,
        "n_comments": run.n_comments,
        "n_non_answers": run.n_non_answers,
        "params": run.params,
        "code_version": run.code_version,
        "dictionary_version": run.dictionary_version,
        "timings": run.timings,
        "created_at": run.created_at.isoformat() if run.created_at else None,
        "finished_at": run.finished_at.isoformat() if run.finished_at else None,
        "k_text": released.k_text,
        "small_themes": released.small,
    }


def theme_dict(item: ShownTheme, member_rows: list[tuple[str, str]] | None = None) -> dict:
    """The theme's JSON; `members` only when given (and they are given only when the release allows them)."""
    theme, release = item.theme, item.release
    data = {
        "id": theme.id,
        "label": item.label,
        "keywords": theme.keywords if release.keywords else [],
        "size": theme.size,
        "respondents": theme.respondents,
        "negative_share": theme.negative_share if release.polarity else None,
        "recurring_quarters": theme.recurring_quarters or [],
        "representatives": theme.representatives if release.quotes else [],
        "is_other": theme.is_other,
        "is_noise": theme.is_noise,
        "growth": theme.growth,
    }
    if member_rows is not None and release.members:
        data["members"] = [{"answer_id": answer_id, "text": text} for answer_id, text in member_rows]
    return data
