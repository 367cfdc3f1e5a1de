"""`flask instruments import|export`: the company's instruments as files; a round trip is exact, a bad file
is refused whole with every problem (file, question code, field) in Chinese or English, and nothing is stored."""

import json

import yaml
from sqlalchemy import func, select

from app.extensions import db
from app.models import Instrument, InstrumentVersion

ERP = {
    "name": "erp-quarterly",
    "kind": "satisfaction",
    "title": {"zh": "ERP 上线季度调查", "en": "ERP rollout survey"},
    "description": {"zh": "两分钟。匿名。"},
    "questions": [
        {"code": "purchase", "type": "likert5", "required": True, "text": {"zh": "采购模块好用吗？"}},
        {"code": "stock", "type": "likert5", "required": True, "text": {"zh": "库存模块好用吗？", "en": "Stock?"}},
        {
            "code": "uses_report",
            "type": "single",
            "text": {"zh": "你用报表吗？"},
            "options": [{"code": "yes", "text": {"zh": "用"}}, {"code": "no", "text": {"zh": "不用"}}],
        },
        {
            "code": "report_why",
            "type": "text",
            "max_length": 300,
            "text": {"zh": "报表哪里不好用？"},
            "show_if": {"question": "uses_report", "in": ["yes"]},
        },
    ],
    "scales": [
        {
            "code": "module_purchase",
            "title": {"zh": "采购", "en": "Purchasing"},
            "scoring": "mean",
            "items": ["purchase"],
        },
        {"code": "module_stock", "title": {"zh": "库存"}, "scoring": "mean", "items": ["stock"], "group": "module"},
    ],
}


def write(tmp_path, data, name="erp.yaml"):
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return str(path)


def stored_versions():
    return db.session.execute(select(func.count(InstrumentVersion.id))).scalar_one()


def test_import_then_export_then_import_is_equal(runner, tmp_path):
    first = runner.invoke(args=["instruments", "import", write(tmp_path, ERP), "--json"])
    assert first.exit_code == 0, first.output
    assert json.loads(first.output) == {"name": "erp-quarterly", "version": 1, "stored": True}
    exported = runner.invoke(args=["instruments", "export", "erp-quarterly"])
    assert exported.exit_code == 0
    again = runner.invoke(
        args=["instruments", "import", write(tmp_path, yaml.safe_load(exported.output), "again.yaml")]
    )
    assert again.exit_code == 0 and "内容没有变化" in again.output
    (tmp_path / "exported.yaml").write_text(exported.output, encoding="utf-8")
    third = runner.invoke(args=["instruments", "import", str(tmp_path / "exported.yaml"), "--json"])
    assert json.loads(third.output)["stored"] is False
    assert runner.invoke(args=["instruments", "export", "erp-quarterly", "--version", "1"]).output == exported.output
    assert yaml.safe_load(exported.output)["questions"][3]["show_if"] == {"question": "uses_report", "in": ["yes"]}


def test_a_changed_file_becomes_a_new_version_and_prints_name_and_version(runner, tmp_path):
    runner.invoke(args=["instruments", "import", write(tmp_path, ERP)])
    changed = {**ERP, "title": {"zh": "ERP 上线季度调查（第二版）"}}
    result = runner.invoke(args=["instruments", "import", write(tmp_path, changed)])
    assert result.exit_code == 0 and result.output.strip() == "已导入 erp-quarterly v2"
    listed = json.loads(runner.invoke(args=["instruments", "list", "--json"]).output)
    erp = next(row for row in listed if row["name"] == "erp-quarterly")
    assert erp["versions"] == [1, 2] and erp["builtin"] is False


def test_a_bad_file_is_refused_whole_with_every_problem_and_nothing_is_stored(runner, tmp_path):
    bad = json.loads(json.dumps(ERP))
    bad["questions"][0]["type"] = "likert9"
    bad["questions"][2]["options"][1]["code"] = "yes"
    bad["scales"][1]["items"] = ["nope"]
    before = stored_versions()
    result = runner.invoke(args=["instruments", "import", write(tmp_path, bad, "bad.yaml")])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0] == "导入失败，共 3 处问题，未保存任何内容："
    assert lines[1].strip().startswith("bad.yaml: 题目 purchase · type: 未知题型“likert9”")
    assert lines[2].strip() == "bad.yaml: 题目 uses_report · options[1].code: 选项编码“yes”重复"
    assert lines[3].strip() == "bad.yaml: 量表 module_stock · items[0]: 题目“nope”不存在"
    assert stored_versions() == before
    assert db.session.execute(select(Instrument).where(Instrument.slug == "erp-quarterly")).first() is None


def test_problems_are_in_english_with_lang_en(runner, tmp_path):
    bad = {**ERP, "questions": [{**ERP["questions"][0], "type": "likert9"}, *ERP["questions"][1:]]}
    result = runner.invoke(args=["instruments", "import", write(tmp_path, bad, "bad.yaml"), "--lang", "en"])
    assert result.exit_code == 1
    assert "Import refused: 1 problem(s), nothing stored:" in result.output
    assert "bad.yaml: question purchase · type: Unknown question type “likert9”" in result.output


def test_a_yaml_syntax_error_and_a_builtin_name_are_refused(runner, tmp_path):
    broken = tmp_path / "broken.yaml"
    broken.write_text("name: [oops", encoding="utf-8")
    result = runner.invoke(args=["instruments", "import", str(broken)])
    assert result.exit_code == 1 and "broken.yaml: YAML 格式错误" in result.output
    builtin = runner.invoke(args=["instruments", "import", write(tmp_path, {**ERP, "name": "change-readiness"})])
    assert builtin.exit_code == 1 and "是内置问卷的名称" in builtin.output


def test_export_of_an_unknown_instrument_or_version_fails(runner):
    assert runner.invoke(args=["instruments", "export", "nope"]).exit_code == 1
    missing = runner.invoke(args=["instruments", "export", "change-readiness", "--version", "9"])
    assert missing.exit_code == 1 and "没有第 9 版" in missing.output


def test_builtins_export_exactly_as_their_definition(runner):
    exported = runner.invoke(args=["instruments", "export", "quarterly-satisfaction"]).output
    from surveys import load_builtin, to_yaml

    assert exported == to_yaml(load_builtin("quarterly-satisfaction"))
