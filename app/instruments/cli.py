"""`flask instruments list|import|export`: the company's instruments as files of the built-ins' format
(docs/instruments.md). Human text by default, JSON with --json; exit status 1 on any failure."""

import json
import sys
from pathlib import Path

import click
from flask.cli import AppGroup

import surveys
from app.extensions import db
from app.instruments import InstrumentNotFound, import_definition, instrument_for, list_instruments, version_of

instruments_cli = AppGroup("instruments", help="问卷 / Instruments.")
LANGUAGES = click.Choice(["zh", "en"])


@instruments_cli.command("list")
@click.option("--json", "as_json", is_flag=True)
def instruments_list(as_json: bool):
    """Built-in and company instruments with their stored versions."""
    rows = list_instruments(db.session)
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False))
        return
    for row in rows:
        versions = ",".join(f"v{n}" for n in row["versions"])
        click.echo(f"{row['name']}\tv{row['version']}\t{row['title']}\t{row['questions']} 题\t{versions}")


@instruments_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--json", "as_json", is_flag=True)
@click.option("--lang", "language", type=LANGUAGES, default="zh", help="语言 / language of the messages")
def instruments_import(file: str, as_json: bool, language: str):
    """Store FILE.yaml as a new instrument, or as a new version when its content changed; refused whole
    (every problem listed, nothing stored) when it is invalid."""
    path = Path(file)
    try:
        definition = surveys.from_yaml(path.read_text(encoding="utf-8"), source=path.name)
        version, stored = import_definition(db.session, definition, source=path.name)
    except surveys.InstrumentError as exc:
        db.session.rollback()
        _refuse(exc, language)
    except UnicodeDecodeError:
        db.session.rollback()
        _refuse_text(f"{path.name}: " + ("not UTF-8 text" if language == "en" else "文件不是 UTF-8 文本"))
    db.session.commit()
    if as_json:
        click.echo(json.dumps({"name": definition.name, "version": version.version, "stored": stored}))
    elif stored:
        click.echo(
            _text(
                language,
                f"已导入 {definition.name} v{version.version}",
                f"imported {definition.name} v{version.version}",
            )
        )
    else:
        click.echo(
            _text(
                language,
                f"{definition.name} v{version.version}：内容没有变化，未新建版本",
                f"{definition.name} v{version.version}: unchanged, no new version",
            )
        )


def _text(language: str, zh: str, en: str) -> str:
    return en if language == "en" else zh


def _refuse(error: surveys.InstrumentError, language: str) -> None:
    count = len(error.problems)
    click.echo(
        _text(
            language,
            f"导入失败，共 {count} 处问题，未保存任何内容：",
            f"Import refused: {count} problem(s), nothing stored:",
        ),
        err=True,
    )
    for line in error.describe(language):
        click.echo("  " + line, err=True)
    sys.exit(1)


def _refuse_text(message: str) -> None:
    click.echo(message, err=True)
    sys.exit(1)


@instruments_cli.command("export")
@click.argument("name")
@click.option("--version", "number", type=click.IntRange(min=1), default=None, help="版本号（默认最新）")
def instruments_export(name: str, number: int | None):
    """Print version N (default: the latest) of instrument NAME in the file format."""
    try:
        version = version_of(db.session, name, number)
    except InstrumentNotFound as exc:
        _refuse_text(f"错误：{exc}")
    db.session.commit()
    click.echo(surveys.to_yaml(instrument_for(version)), nl=False)


def init_app(app) -> None:
    app.cli.add_command(instruments_cli)
