"""Loading and validating instrument definitions (YAML files or stored JSON).

Errors name the file and the field path, e.g.
`quarterly-satisfaction.yaml: questions[3].type: 未知题型“likert9”`.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import yaml

from surveys.model import NUMERIC_RANGES, QUESTION_TYPES, SCORING_METHODS, Instrument, Option, Question, Scale

BUILTIN_DIR = Path(__file__).resolve().parent / "instruments"
LANGUAGES = ("zh", "en")


class InstrumentError(ValueError):
    """A definition is invalid; the message names the file and the field."""


class _Checker:
    def __init__(self, source: str):
        self.source = source

    def fail(self, path: str, message: str):
        raise InstrumentError(f"{self.source}: {path}: {message}")

    def mapping(self, value, path: str) -> dict:
        if not isinstance(value, dict):
            self.fail(path, "应为键值对象")
        return value

    def text(self, value, path: str, required: bool = True) -> dict:
        if not required and (value is None or value == {"zh": "", "en": ""}):
            return {"zh": "", "en": ""}
        if not isinstance(value, dict):
            self.fail(path, "应为 {zh: …, en: …} 形式的中英文文本")
        for language in LANGUAGES:
            if not isinstance(value.get(language), str) or not value[language].strip():
                self.fail(f"{path}.{language}", "缺少文本")
        return {language: value[language] for language in LANGUAGES}

    def code(self, value, path: str) -> str:
        if not isinstance(value, str) or not value or not value.replace("_", "").isalnum() or not value.isascii():
            self.fail(path, f"编码应为字母、数字和下划线，收到“{value}”")
        return value

    def positive_int(self, value, path: str) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
            self.fail(path, f"应为正整数，收到“{value}”")
        return value


def from_dict(data: dict, source: str = "<definition>") -> Instrument:
    """Build and validate an instrument from plain data (parsed YAML or stored JSON)."""
    check = _Checker(source)
    check.mapping(data, "(root)")
    name = data.get("name")
    if not isinstance(name, str) or not name:
        check.fail("name", "缺少问卷名称")
    questions_data = data.get("questions")
    if not isinstance(questions_data, list) or not questions_data:
        check.fail("questions", "至少需要一道题")
    questions = []
    seen: set[str] = set()
    for index, raw in enumerate(questions_data):
        path = f"questions[{index}]"
        check.mapping(raw, path)
        code = check.code(raw.get("code"), f"{path}.code")
        if code in seen:
            check.fail(f"{path}.code", f"题目编码“{code}”重复")
        seen.add(code)
        qtype = raw.get("type")
        if qtype not in QUESTION_TYPES:
            check.fail(f"{path}.type", f"未知题型“{qtype}”（可用：{'、'.join(QUESTION_TYPES)}）")
        required = raw.get("required", False)
        if not isinstance(required, bool):
            check.fail(f"{path}.required", "应为 true 或 false")
        options: tuple[Option, ...] = ()
        max_choices = max_length = None
        if qtype in ("single", "multi"):
            raw_options = raw.get("options")
            if not isinstance(raw_options, list) or len(raw_options) < 2:
                check.fail(f"{path}.options", "单选和多选题至少需要两个选项")
            option_codes = set()
            built = []
            for o_index, option in enumerate(raw_options):
                o_path = f"{path}.options[{o_index}]"
                check.mapping(option, o_path)
                o_code = check.code(option.get("code"), f"{o_path}.code")
                if o_code in option_codes:
                    check.fail(f"{o_path}.code", f"选项编码“{o_code}”重复")
                option_codes.add(o_code)
                built.append(Option(code=o_code, text=check.text(option.get("text"), f"{o_path}.text")))
            options = tuple(built)
        elif "options" in raw:
            check.fail(f"{path}.options", f"题型 {qtype} 不能有选项")
        if qtype == "multi" and raw.get("max_choices") is not None:
            max_choices = check.positive_int(raw["max_choices"], f"{path}.max_choices")
            if max_choices > len(options):
                check.fail(f"{path}.max_choices", f"最多可选数 {max_choices} 超过了选项数 {len(options)}")
        if qtype == "text":
            max_length = check.positive_int(raw.get("max_length", 1000), f"{path}.max_length")
        anchors = raw.get("anchors")
        if anchors is not None:
            if qtype not in NUMERIC_RANGES:
                check.fail(f"{path}.anchors", "只有量表题可以设置两端说明")
            check.mapping(anchors, f"{path}.anchors")
            anchors = {
                "low": check.text(anchors.get("low"), f"{path}.anchors.low"),
                "high": check.text(anchors.get("high"), f"{path}.anchors.high"),
            }
        questions.append(
            Question(
                code=code,
                type=qtype,
                text=check.text(raw.get("text"), f"{path}.text"),
                required=required,
                options=options,
                max_choices=max_choices,
                max_length=max_length,
                anchors=anchors,
            )
        )
    by_code = {q.code: q for q in questions}
    scales = []
    scale_codes: set[str] = set()
    for index, raw in enumerate(data.get("scales") or []):
        path = f"scales[{index}]"
        check.mapping(raw, path)
        code = check.code(raw.get("code"), f"{path}.code")
        if code in scale_codes:
            check.fail(f"{path}.code", f"量表编码“{code}”重复")
        scale_codes.add(code)
        scoring = raw.get("scoring")
        if scoring not in SCORING_METHODS:
            check.fail(f"{path}.scoring", f"未知计分方式“{scoring}”（可用：{'、'.join(SCORING_METHODS)}）")
        items = raw.get("items")
        if not isinstance(items, list) or not items:
            check.fail(f"{path}.items", "量表至少需要一道题")
        for i_index, item in enumerate(items):
            if item not in by_code:
                check.fail(f"{path}.items[{i_index}]", f"题目“{item}”不存在")
            if by_code[item].value_range is None:
                check.fail(f"{path}.items[{i_index}]", f"题目“{item}”不是量表题，不能计分")
        reverse = raw.get("reverse") or []
        for r_index, item in enumerate(reverse):
            if item not in items:
                check.fail(f"{path}.reverse[{r_index}]", f"反向题“{item}”不在本量表中")
        if scoring == "sus":
            if len(items) != 10 or any(by_code[i].type != "likert5" for i in items):
                check.fail(f"{path}.items", "SUS 需要 10 道 likert5 题")
            if reverse:
                check.fail(f"{path}.reverse", "SUS 的正反向由题号决定，不能另设反向题")
        if scoring == "nps" and (len(items) != 1 or by_code[items[0]].type != "nps"):
            check.fail(f"{path}.items", "NPS 量表需要恰好一道 nps 题")
        if scoring == "mean" and len({by_code[i].type for i in items}) > 1:
            check.fail(f"{path}.items", "同一量表的题目必须是同一种量表题型")
        scales.append(
            Scale(
                code=code,
                title=check.text(raw.get("title"), f"{path}.title"),
                scoring=scoring,
                items=tuple(items),
                reverse=tuple(reverse),
                group=raw.get("group"),
            )
        )
    barrier = data.get("barrier_point") or {}
    check.mapping(barrier, "barrier_point")
    barrier_scales = tuple(barrier.get("scales") or ())
    for b_index, code in enumerate(barrier_scales):
        if code not in scale_codes:
            check.fail(f"barrier_point.scales[{b_index}]", f"量表“{code}”不存在")
    threshold = barrier.get("threshold", 3)
    if not isinstance(threshold, (int, float)) or isinstance(threshold, bool):
        check.fail("barrier_point.threshold", "应为数字")
    scale_of = {item: s.code for s in scales for item in s.items}
    questions = [Question(**{**q.__dict__, "scale": scale_of.get(q.code)}) for q in questions]
    return Instrument(
        name=name,
        title=check.text(data.get("title"), "title"),
        description=check.text(data.get("description"), "description", required=False),
        questions=tuple(questions),
        scales=tuple(scales),
        barrier_scales=barrier_scales,
        barrier_threshold=float(threshold),
        kind=str(data.get("kind", "satisfaction")),
        source=source,
    )


def to_dict(instrument: Instrument) -> dict:
    """Plain data that `from_dict` turns back into an equal instrument."""
    questions = []
    for q in instrument.questions:
        item = {"code": q.code, "type": q.type, "text": q.text, "required": q.required}
        if q.options:
            item["options"] = [{"code": o.code, "text": o.text} for o in q.options]
        if q.max_choices is not None:
            item["max_choices"] = q.max_choices
        if q.max_length is not None:
            item["max_length"] = q.max_length
        if q.anchors is not None:
            item["anchors"] = q.anchors
        questions.append(item)
    scales = [
        {
            "code": s.code,
            "title": s.title,
            "scoring": s.scoring,
            "items": list(s.items),
            **({"reverse": list(s.reverse)} if s.reverse else {}),
            **({"group": s.group} if s.group else {}),
        }
        for s in instrument.scales
    ]
    data = {
        "name": instrument.name,
        "title": instrument.title,
        "description": instrument.description,
        "kind": instrument.kind,
        "questions": questions,
        "scales": scales,
    }
    if instrument.barrier_scales:
        data["barrier_point"] = {"scales": list(instrument.barrier_scales), "threshold": instrument.barrier_threshold}
    return data


def definition_hash(instrument: Instrument) -> str:
    """SHA-256 of the canonical JSON of a definition: equal content, equal hash."""
    canonical = json.dumps(to_dict(instrument), ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def load_instrument(path: str | Path) -> Instrument:
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise InstrumentError(f"{path.name}: YAML 格式错误：{exc}") from exc
    return from_dict(data, source=path.name)


def builtin_instruments() -> list[Instrument]:
    return [load_instrument(path) for path in sorted(BUILTIN_DIR.glob("*.yaml"))]


def load_builtin(name: str) -> Instrument:
    path = BUILTIN_DIR / f"{name}.yaml"
    if not path.is_file():
        raise InstrumentError(f"{name}: 没有这个内置问卷")
    return load_instrument(path)
