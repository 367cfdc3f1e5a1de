"""Loading and validating instrument definitions (YAML files or stored JSON), and writing them back.

A definition is checked whole: every problem is collected (`InstrumentError.problems`) and each names the
file, the question or scale by its code, and the field, e.g.
`erp.yaml: 题目 q4 · type: 未知题型“likert9”` (in English with `describe("en")`). The file format is
documented field by field in docs/instruments.md; `to_dict` writes what `from_dict` reads, so a definition
survives export and import unchanged.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from surveys.i18n import gettext
from surveys.model import (
    CONDITION_TYPES,
    NUMERIC_RANGES,
    QUESTION_TYPES,
    SCORING_METHODS,
    Bilingual,
    Instrument,
    Option,
    Question,
    Scale,
    ShowIf,
)

# A definition as parsed (YAML or stored JSON) is validated field by field: until a check has passed, a
# field's value may be anything, hence `Any` for the raw values below.

BUILTIN_DIR = Path(__file__).resolve().parent / "instruments"
LANGUAGES = ("zh", "en")
KINDS = ("satisfaction", "readiness")  # which part of the quarterly report an instrument feeds
NAME_PATTERN = re.compile(r"[a-z0-9][a-z0-9-]{0,63}")
CODE_PATTERN = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,39}")
MODULE_PREFIX = "module_"  # the scales a company writes are its modules: module_<name>
# Names a question's code cannot take: they are attributes of the WTForms form built from it.
RESERVED_CODES = frozenset({"data", "errors", "form_errors", "meta", "populate_obj", "process", "validate"})
ROOT_FIELDS = ("name", "title", "description", "kind", "questions", "scales", "barrier_point")
QUESTION_FIELDS = (
    "code",
    "type",
    "text",
    "required",
    "options",
    "max_choices",
    "max_length",
    "anchors",
    "show_if",
    "block",
)
SCALE_FIELDS = ("code", "title", "scoring", "items", "reverse", "group", "block")
_PATH = re.compile(r"(questions|scales)\[(\d+)\](?:\.(.+))?")


def N_(message: str) -> str:
    """Marks a message for the catalogue (Babel extracts N_); it is translated when a problem is described."""
    return message


def _in_language(value: object, language: str) -> object:
    """A problem's value as the reader sees it: a bilingual text in their language, a list (the allowed values)
    joined with their language's separator."""
    if isinstance(value, dict):
        return value.get(language) or value.get("zh")
    if isinstance(value, tuple):
        return ("、" if language == "zh" else ", ").join(str(item) for item in value)
    return value


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a definition: where (`path`, e.g. `questions[3].options[1].code`, and the code of
    its question or scale when it has a usable one) and what (`message`, a Chinese msgid, with `values`)."""

    source: str
    path: str
    message: str
    values: tuple[tuple[str, object], ...] = ()
    code: str | None = None

    @property
    def section(self) -> str | None:
        match = _PATH.fullmatch(self.path)
        return match.group(1) if match else None

    @property
    def index(self) -> int | None:
        match = _PATH.fullmatch(self.path)
        return int(match.group(2)) if match else None

    @property
    def field(self) -> str:
        """The field inside its question or scale (`options[1].code`), or the whole path at the top level."""
        match = _PATH.fullmatch(self.path)
        return (match.group(3) or "") if match else self.path

    def text(self, language: str = "zh") -> str:
        values = {key: _in_language(value, language) for key, value in self.values}
        return gettext(self.message, language, **values)

    def where(self, language: str = "zh") -> str:
        """The question or scale named by its code (or its number when its code is unusable)."""
        match = _PATH.fullmatch(self.path)
        if match is None:
            return self.path
        number = int(match.group(2)) + 1
        if match.group(1) == "questions":
            if self.code:
                return gettext("题目 %(code)s", language, code=self.code)
            return gettext("第 %(n)s 题", language, n=number)
        if self.code:
            return gettext("量表 %(code)s", language, code=self.code)
        return gettext("第 %(n)s 个量表", language, n=number)

    def describe(self, language: str = "zh") -> str:
        """`file: question q4 · type: message`, in `language`."""
        if not self.path:
            return f"{self.source}: {self.text(language)}"
        if self.section is None:
            return f"{self.source}: {self.path}: {self.text(language)}"
        field = f" · {self.field}" if self.field else ""
        return f"{self.source}: {self.where(language)}{field}: {self.text(language)}"


class InstrumentError(ValueError):
    """A definition is invalid; `problems` lists every problem found, the message is them in Chinese."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__("\n".join(problem.describe("zh") for problem in self.problems))

    def describe(self, language: str = "zh") -> list[str]:
        return [problem.describe(language) for problem in self.problems]


class _Checker:
    """Collects problems; each check returns the cleaned value, or None when it found a problem."""

    def __init__(self, source: str, authoring: bool = True):
        self.source = source
        self.authoring = authoring
        self.problems: list[Problem] = []
        self.code: str | None = None  # the code of the question or scale being checked

    def fail(self, path: str, message: str, **values: object) -> None:
        self.problems.append(Problem(self.source, path, message, tuple(values.items()), self.code))

    def mapping(self, value: object, path: str) -> dict[str, Any] | None:
        if not isinstance(value, dict):
            self.fail(path, N_("应为键值对象"))
            return None
        return value

    def known_fields(self, value: dict[str, Any], allowed: tuple[str, ...], path: str) -> None:
        for key in value:
            if key not in allowed:
                prefix = f"{path}." if path else ""
                self.fail(
                    f"{prefix}{key}",
                    N_("未知字段“%(field)s”（可用：%(allowed)s）"),
                    field=key,
                    allowed=tuple(allowed),
                )

    def text(self, value: object, path: str, required: bool = True) -> Bilingual:
        """{zh, en}: Chinese required (unless the whole text is optional), English optional."""
        if value is None and not required:
            return {"zh": "", "en": ""}
        if not isinstance(value, dict):
            self.fail(path, N_("应为 {zh: …, en: …} 形式的中英文文本"))
            return {"zh": "", "en": ""}
        for key in value:
            if key not in LANGUAGES:
                self.fail(f"{path}.{key}", N_("未知语言“%(value)s”（可用：zh、en）"), value=key)
        texts: Bilingual = {}
        for language in LANGUAGES:
            text = value.get(language)
            if text is None:
                text = ""
            if not isinstance(text, str):
                self.fail(f"{path}.{language}", N_("应为文本"))
                text = ""
            texts[language] = text
        if required and not texts["zh"].strip():
            self.fail(f"{path}.zh", N_("缺少中文文本"))
        return texts

    def code_of(self, value: object, path: str) -> str | None:
        if not isinstance(value, str) or not CODE_PATTERN.fullmatch(value):
            self.fail(
                path, N_("编码应以字母开头，由字母、数字和下划线组成，最长 40 个字符，收到“%(value)s”"), value=value
            )
            return None
        return value

    def positive_int(self, value: object, path: str) -> int | None:
        if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
            self.fail(path, N_("应为正整数，收到“%(value)s”"), value=value)
            return None
        return value


def from_dict(data: object, source: str = "<definition>", authoring: bool = True) -> Instrument:
    """Build and validate an instrument from plain data (parsed YAML or stored JSON); InstrumentError
    lists every problem. `authoring=False` reads a definition that was valid when it was stored (a stored
    version, the blocks themselves) without the rules for writing one: validated blocks locked and whole,
    custom scales as modules."""
    check = _Checker(source, authoring)
    definition = check.mapping(data, "")
    if definition is None:
        raise InstrumentError(check.problems)
    check.known_fields(definition, ROOT_FIELDS, "")
    name = definition.get("name")
    if not isinstance(name, str) or not name:
        check.fail("name", N_("缺少问卷名称"))
    elif not NAME_PATTERN.fullmatch(name):
        check.fail("name", N_("问卷名称应由小写字母、数字和连字符组成（最长 64 个字符），收到“%(value)s”"), value=name)
    title = check.text(definition.get("title"), "title")
    description = check.text(definition.get("description"), "description", required=False)
    kind = definition.get("kind", "satisfaction")
    if kind not in KINDS:
        check.fail("kind", N_("未知类别“%(value)s”（可用：%(allowed)s）"), value=kind, allowed=tuple(KINDS))
    questions = _questions(check, definition.get("questions"))
    scales = _scales(check, definition.get("scales"), questions)
    barrier_scales, threshold = _barrier(check, definition.get("barrier_point"), scales)
    if authoring:
        from surveys.blocks import check_blocks as check_locked_blocks

        check_locked_blocks(check, questions, scales, barrier_scales, threshold)
    if check.problems or not isinstance(name, str):  # a name that is not a text is one of the problems
        raise InstrumentError(check.problems)
    scale_of = {item: s.code for s in scales for item in s.items}
    return Instrument(
        name=name,
        title=title,
        description=description,
        questions=tuple(Question(**{**q.__dict__, "scale": scale_of.get(q.code)}) for q in questions),
        scales=tuple(scales),
        barrier_scales=barrier_scales,
        barrier_threshold=threshold,
        kind=kind,
        source=source,
    )


def _questions(check: _Checker, raw_questions: object) -> list[Question]:
    if not isinstance(raw_questions, list) or not raw_questions:
        check.fail("questions", N_("至少需要一道题"))
        return []
    questions: list[Question] = []
    seen: set[str] = set()
    for index, raw in enumerate(raw_questions):
        check.code = None
        question = _question(check, raw, f"questions[{index}]", seen, questions)
        if question is not None:
            questions.append(question)
    check.code = None
    return questions


def _question(check: _Checker, raw: Any, path: str, seen: set[str], earlier: list[Question]) -> Question | None:
    if check.mapping(raw, path) is None:
        return None
    code = raw.get("code")
    check.code = code if isinstance(code, str) and CODE_PATTERN.fullmatch(code) else None
    check.known_fields(raw, QUESTION_FIELDS, path)
    code = check.code_of(code, f"{path}.code")
    if code is not None:
        if code in RESERVED_CODES:
            check.fail(f"{path}.code", N_("编码“%(code)s”是保留字，请换一个"), code=code)
        elif code in seen:
            check.fail(f"{path}.code", N_("题目编码“%(code)s”重复"), code=code)
        seen.add(code)
    qtype = raw.get("type")
    if qtype not in QUESTION_TYPES:
        check.fail(
            f"{path}.type",
            N_("未知题型“%(value)s”（可用：%(allowed)s）"),
            value=qtype,
            allowed=tuple(QUESTION_TYPES),
        )
    required = raw.get("required", False)
    if not isinstance(required, bool):
        check.fail(f"{path}.required", N_("应为 true 或 false"))
    options = _options(check, raw, path, qtype)
    max_choices = max_length = None
    if raw.get("max_choices") is not None:
        if qtype != "multi":
            check.fail(f"{path}.max_choices", N_("只有多选题可以设置最多可选数"))
        else:
            max_choices = check.positive_int(raw["max_choices"], f"{path}.max_choices")
            if max_choices is not None and options and max_choices > len(options):
                check.fail(
                    f"{path}.max_choices",
                    N_("最多可选数 %(max)s 超过了选项数 %(count)s"),
                    max=max_choices,
                    count=len(options),
                )
    if qtype == "text":
        max_length = check.positive_int(raw.get("max_length", 1000), f"{path}.max_length")
    elif raw.get("max_length") is not None:
        check.fail(f"{path}.max_length", N_("只有文本题可以设置字数上限"))
    block = raw.get("block")
    if block is not None and not isinstance(block, str):
        check.fail(f"{path}.block", N_("应为题组名称"))
        block = None
    question = Question(
        code=code or "",
        type=qtype if qtype in QUESTION_TYPES else "",
        text=check.text(raw.get("text"), f"{path}.text"),
        required=required is True,
        options=options,
        max_choices=max_choices,
        max_length=max_length,
        anchors=_anchors(check, raw.get("anchors"), path, qtype),
        show_if=_show_if(check, raw.get("show_if"), path, earlier),
        block=block,
    )
    return question if code is not None else None  # kept with an unknown type, so later checks find it


def _options(check: _Checker, raw: dict[str, Any], path: str, qtype: object) -> tuple[Option, ...]:
    if qtype not in ("single", "multi"):
        if "options" in raw:
            check.fail(f"{path}.options", N_("题型 %(type)s 不能有选项"), type=qtype)
        return ()
    raw_options = raw.get("options")
    if not isinstance(raw_options, list) or len(raw_options) < 2:
        check.fail(f"{path}.options", N_("单选和多选题至少需要两个选项"))
        return ()
    codes: set[str] = set()
    built = []
    for index, option in enumerate(raw_options):
        option_path = f"{path}.options[{index}]"
        if check.mapping(option, option_path) is None:
            continue
        check.known_fields(option, ("code", "text"), option_path)
        code = check.code_of(option.get("code"), f"{option_path}.code")
        if code is not None and code in codes:
            check.fail(f"{option_path}.code", N_("选项编码“%(code)s”重复"), code=code)
        if code is not None:
            codes.add(code)
        text = check.text(option.get("text"), f"{option_path}.text")
        if code is not None:
            built.append(Option(code=code, text=text))
    return tuple(built)


def _anchors(check: _Checker, anchors: Any, path: str, qtype: object) -> dict[str, Bilingual] | None:
    if anchors is None:
        return None
    if qtype not in NUMERIC_RANGES:
        check.fail(f"{path}.anchors", N_("只有量表题可以设置两端说明"))
        return None
    if check.mapping(anchors, f"{path}.anchors") is None:
        return None
    check.known_fields(anchors, ("low", "high"), f"{path}.anchors")
    return {
        "low": check.text(anchors.get("low"), f"{path}.anchors.low"),
        "high": check.text(anchors.get("high"), f"{path}.anchors.high"),
    }


def _show_if(check: _Checker, raw: Any, path: str, earlier: list[Question]) -> ShowIf | None:
    """`show_if: {question: CODE, in: [...]}`: an earlier single-choice or scale question and its answers."""
    if raw is None:
        return None
    path = f"{path}.show_if"
    if check.mapping(raw, path) is None:
        return None
    check.known_fields(raw, ("question", "in"), path)
    parent = next((q for q in earlier if q.code == raw.get("question")), None)
    if parent is None:
        check.fail(f"{path}.question", N_("条件只能引用前面的题目，没有找到“%(value)s”"), value=raw.get("question"))
        return None
    if not parent.type:
        return None
    if parent.type not in CONDITION_TYPES:
        check.fail(
            f"{path}.question",
            N_("条件只能引用单选题或量表题，“%(code)s”是 %(type)s"),
            code=parent.code,
            type=parent.type,
        )
        return None
    values = raw.get("in")
    if not isinstance(values, list) or not values:
        check.fail(f"{path}.in", N_("请至少选择一个会显示本题的答案"))
        return None
    allowed = [o.code for o in parent.options] if parent.type == "single" else list(_points(parent))
    cleaned: list[str | int] = []
    for index, value in enumerate(values):
        if isinstance(value, bool) or value not in allowed:
            check.fail(
                f"{path}.in[{index}]",
                N_("“%(value)s”不是“%(code)s”的答案（可用：%(allowed)s）"),
                value=value,
                code=parent.code,
                allowed=tuple(allowed),
            )
        elif value not in cleaned:
            cleaned.append(value)
    return ShowIf(parent.code, tuple(cleaned)) if len(cleaned) == len(values) else None


def _points(question: Question) -> range:
    span = question.value_range
    if span is None:
        raise ValueError(f"question {question.code} ({question.type}) has no scale points")
    low, high = span
    return range(low, high + 1)


def _scales(check: _Checker, raw_scales: object, questions: list[Question]) -> list[Scale]:
    if raw_scales is None:
        return []
    if not isinstance(raw_scales, list):
        check.fail("scales", N_("应为量表列表"))
        return []
    by_code = {q.code: q for q in questions}
    scales: list[Scale] = []
    codes: set[str] = set()
    owner: dict[str, str] = {}  # item → the scale that scores it
    for index, raw in enumerate(raw_scales):
        path = f"scales[{index}]"
        check.code = None
        if check.mapping(raw, path) is None:
            continue
        code = raw.get("code")
        check.code = code if isinstance(code, str) and CODE_PATTERN.fullmatch(code) else None
        check.known_fields(raw, SCALE_FIELDS, path)
        scale = _scale(check, raw, path, by_code, codes, owner)
        if scale is not None:
            scales.append(scale)
    check.code = None
    return scales


def _scale(
    check: _Checker,
    raw: dict[str, Any],
    path: str,
    by_code: dict[str, Question],
    codes: set[str],
    owner: dict[str, str],
) -> Scale | None:
    code = check.code_of(raw.get("code"), f"{path}.code")
    block = raw.get("block")
    if code is not None:
        if code in codes:
            check.fail(f"{path}.code", N_("量表编码“%(code)s”重复"), code=code)
        codes.add(code)
        if check.authoring and block is None and (not code.startswith(MODULE_PREFIX) or code == MODULE_PREFIX):
            check.fail(f"{path}.code", N_("自定义量表是模块，编码应为 module_ 加模块名，如 module_purchase"))
    scoring = raw.get("scoring")
    if scoring not in SCORING_METHODS:
        check.fail(
            f"{path}.scoring",
            N_("未知计分方式“%(value)s”（可用：%(allowed)s）"),
            value=scoring,
            allowed=tuple(SCORING_METHODS),
        )
    elif check.authoring and block is None and scoring != "mean":
        check.fail(f"{path}.scoring", N_("SUS 和 NPS 计分只用于验证过的题组；自定义模块按平均分计分（mean）"))
    items = raw.get("items")
    if not isinstance(items, list) or not items:
        check.fail(f"{path}.items", N_("量表至少需要一道题"))
        items = []
    valid = True
    for index, item in enumerate(items):
        question = by_code.get(item) if isinstance(item, str) else None
        if question is None:
            check.fail(f"{path}.items[{index}]", N_("题目“%(item)s”不存在"), item=item)
            valid = False
        elif not question.type:  # its unknown type is already a problem
            valid = False
        elif question.value_range is None:
            check.fail(f"{path}.items[{index}]", N_("题目“%(item)s”不是量表题，不能计分"), item=item)
            valid = False
        elif item in owner:
            check.fail(
                f"{path}.items[{index}]", N_("题目“%(item)s”已计入量表“%(scale)s”"), item=item, scale=owner[item]
            )
            valid = False
        elif code is not None:
            owner[item] = code
    reverse = raw.get("reverse") or []
    if not isinstance(reverse, list):
        check.fail(f"{path}.reverse", N_("应为题目编码列表"))
        reverse = []
    for index, item in enumerate(reverse):
        if item not in items:
            check.fail(f"{path}.reverse[{index}]", N_("反向题“%(item)s”不在本量表中"), item=item)
    if valid and items:
        _scoring_rules(check, path, scoring, [by_code[i] for i in items], reverse)
    group = raw.get("group")
    if group is not None and not isinstance(group, str):
        check.fail(f"{path}.group", N_("应为文本"))
    title = check.text(raw.get("title"), f"{path}.title")
    if code is None or scoring not in SCORING_METHODS or not valid or not items:
        return None
    return Scale(code, title, scoring, tuple(items), tuple(reverse), group, block if isinstance(block, str) else None)


def _scoring_rules(check: _Checker, path: str, scoring: object, items: list[Question], reverse: list[Any]) -> None:
    if scoring == "sus":
        if len(items) != 10 or any(q.type != "likert5" for q in items):
            check.fail(f"{path}.items", N_("SUS 需要 10 道 likert5 题"))
        if reverse:
            check.fail(f"{path}.reverse", N_("SUS 的正反向由题号决定，不能另设反向题"))
    if scoring == "nps" and (len(items) != 1 or items[0].type != "nps"):
        check.fail(f"{path}.items", N_("NPS 量表需要恰好一道 nps 题"))
    if scoring == "mean" and len({q.type for q in items}) > 1:
        check.fail(f"{path}.items", N_("同一量表的题目必须是同一种量表题型"))


def _barrier(check: _Checker, raw: Any, scales: list[Scale]) -> tuple[tuple[str, ...], float]:
    if raw is None:
        return (), 3.0
    if check.mapping(raw, "barrier_point") is None:
        return (), 3.0
    check.known_fields(raw, ("scales", "threshold"), "barrier_point")
    codes = {s.code for s in scales}
    barrier_scales = raw.get("scales") or []
    if not isinstance(barrier_scales, list):
        check.fail("barrier_point.scales", N_("应为量表编码列表"))
        barrier_scales = []
    for index, code in enumerate(barrier_scales):
        if code not in codes:
            check.fail(f"barrier_point.scales[{index}]", N_("量表“%(code)s”不存在"), code=code)
    threshold = raw.get("threshold", 3)
    if not isinstance(threshold, (int, float)) or isinstance(threshold, bool):
        check.fail("barrier_point.threshold", N_("应为数字"))
        threshold = 3
    return tuple(barrier_scales), float(threshold)


def question_data(q: Question) -> dict[str, Any]:
    """One question as plain data (the file format), in the order the fields are documented."""
    item: dict[str, Any] = {"code": q.code, "type": q.type, "text": dict(q.text), "required": q.required}
    if q.options:
        item["options"] = [{"code": o.code, "text": dict(o.text)} for o in q.options]
    if q.max_choices is not None:
        item["max_choices"] = q.max_choices
    if q.max_length is not None:
        item["max_length"] = q.max_length
    if q.anchors is not None:
        item["anchors"] = {"low": dict(q.anchors["low"]), "high": dict(q.anchors["high"])}
    if q.show_if is not None:
        item["show_if"] = {"question": q.show_if.question, "in": list(q.show_if.values)}
    if q.block is not None:
        item["block"] = q.block
    return item


def scale_data(s: Scale) -> dict[str, Any]:
    """One scale as plain data (the file format)."""
    item: dict[str, Any] = {"code": s.code, "title": dict(s.title), "scoring": s.scoring, "items": list(s.items)}
    if s.reverse:
        item["reverse"] = list(s.reverse)
    if s.group:
        item["group"] = s.group
    if s.block:
        item["block"] = s.block
    return item


def to_dict(instrument: Instrument) -> dict[str, Any]:
    """Plain data that `from_dict` turns back into an equal instrument."""
    data: dict[str, Any] = {
        "name": instrument.name,
        "title": dict(instrument.title),
        "description": dict(instrument.description),
        "kind": instrument.kind,
        "questions": [question_data(q) for q in instrument.questions],
        "scales": [scale_data(s) for s in instrument.scales],
    }
    if instrument.barrier_scales:
        data["barrier_point"] = {"scales": list(instrument.barrier_scales), "threshold": instrument.barrier_threshold}
    return data


def to_yaml(instrument: Instrument) -> str:
    """The definition in the file format (`flask instruments export`); `from_yaml` reads it back unchanged."""
    return yaml.safe_dump(to_dict(instrument), allow_unicode=True, sort_keys=False, width=1000)


def from_yaml(text: str, source: str = "<definition>", authoring: bool = True) -> Instrument:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise InstrumentError([Problem(source, "", N_("YAML 格式错误：%(error)s"), (("error", str(exc)),))]) from exc
    return from_dict(data, source=source, authoring=authoring)


def definition_hash(instrument: Instrument) -> str:
    """SHA-256 of the canonical JSON of a definition: equal content, equal hash."""
    canonical = json.dumps(to_dict(instrument), ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def load_instrument(path: str | Path) -> Instrument:
    path = Path(path)
    return from_yaml(path.read_text(encoding="utf-8"), source=path.name)


def builtin_names() -> list[str]:
    return sorted(path.stem for path in BUILTIN_DIR.glob("*.yaml"))


def builtin_instruments() -> list[Instrument]:
    return [load_instrument(path) for path in sorted(BUILTIN_DIR.glob("*.yaml"))]


def load_builtin(name: str) -> Instrument:
    path = BUILTIN_DIR / f"{name}.yaml"
    if not path.is_file():
        raise InstrumentError([Problem(name, "", N_("没有这个内置问卷"))])
    return load_instrument(path)
