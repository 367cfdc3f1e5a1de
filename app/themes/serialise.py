"""Theme runs and themes as JSON (CLI and API share it)."""

from app.models import Theme, ThemeRun


def run_dict(run: ThemeRun) -> dict:
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
    }


def theme_dict(theme: Theme, members: bool, member_rows=None) -> dict:
    data = {
        "id": theme.id,
        "label": theme.display_label,
        "keywords": theme.keywords,
        "size": theme.size,
        "respondents": theme.respondents,
        "negative_share": theme.negative_share,
        "recurring_quarters": theme.recurring_quarters or [],
        "representatives": theme.representatives,
        "is_other": theme.is_other,
        "is_noise": theme.is_noise,
        "growth": theme.growth,
    }
    if members:
        data["members"] = [{"answer_id": answer_id, "text": text} for answer_id, text in (member_rows or [])]
    return data
