"""`flask themes run --campaign ID [...] [--wait] --json` and `flask themes show RUN_ID --json`."""

import contextlib
import json
import sys

import click
from flask.cli import AppGroup

from app.extensions import db
from app.jobs import JobFailed, enqueue
from app.models import ThemeRun
from app.themes.released import released_themes
from app.themes.runs import ThemeRunError, create_run, execute_run
from app.themes.serialise import run_dict, theme_dict

themes_cli = AppGroup("themes", help="意见主题 / Comment themes.")


@themes_cli.command("run")
@click.option("--campaign", "campaign_ids", type=int, multiple=True, required=True)
@click.option("--wait", is_flag=True, help="等待分析完成并输出主题")
@click.option("--full", is_flag=True, help="重新聚类全部评论，而不是在上次结果上增量更新")
@click.option("--json", "as_json", is_flag=True)
def run_command(campaign_ids, wait, full, as_json):
    try:
        run = create_run(db.session, list(campaign_ids), full=full)
    except ThemeRunError as exc:
        click.echo(f"错误：{exc}", err=True)
        sys.exit(1)
    if wait:
        with contextlib.suppress(JobFailed):  # recorded on the run: reported below with exit status 1
            execute_run(run.id)
        db.session.refresh(run)
    else:
        enqueue("theme_run", run.id, target=("theme_run", run.id))
    released = released_themes(db.session, run)
    data = run_dict(run, released)
    if wait:
        data["themes"] = [theme_dict(item) for item in released.themes]
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False))
    else:
        click.echo(f"主题分析 #{run.id}：{run.status}")
        _echo_themes(data)
    if wait and run.status == "failed":
        click.echo(f"分析失败：{run.error}", err=True)
        sys.exit(1)


@themes_cli.command("show")
@click.argument("run_id", type=int)
@click.option("--json", "as_json", is_flag=True)
def show_command(run_id, as_json):
    run = db.session.get(ThemeRun, run_id)
    if run is None:
        click.echo(f"错误：没有编号为 {run_id} 的主题分析", err=True)
        sys.exit(1)
    released = released_themes(db.session, run)
    data = {**run_dict(run, released), "themes": [theme_dict(item) for item in released.themes]}
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False))
        return
    click.echo(f"主题分析 #{run.id}：{run.status} {run.error or ''}")
    _echo_themes(data)


def _echo_themes(data: dict) -> None:
    for theme in data.get("themes", []):
        click.echo(f"  {theme['size']:5d}  {theme['label']}  [{' '.join(theme['keywords'])}]")
    if data["small_themes"]:
        click.echo(f"  另有 {data['small_themes']} 个小主题，每个少于 {data['k_text']} 人")


def init_app(app) -> None:
    app.cli.add_command(themes_cli)
