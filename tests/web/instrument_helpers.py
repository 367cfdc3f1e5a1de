"""Builders for the company's own instruments: an ERP survey with modules and a conditional question, and
the editor's form data as a browser posts it."""

import copy
from html.parser import HTMLParser

from werkzeug.datastructures import MultiDict

import surveys
from app.extensions import db
from app.instruments import import_definition

ERP = {
    "name": "erp-quarterly",
    "kind": "satisfaction",
    "title": {"zh": "ERP 上线季度调查", "en": "ERP rollout survey"},
    "questions": [
        {"code": "purchase", "type": "likert5", "required": True, "text": {"zh": "采购模块好用吗？"}},
        {"code": "stock", "type": "likert5", "required": True, "text": {"zh": "库存模块好用吗？"}},
        {
            "code": "uses_report",
            "type": "single",
            "required": True,
            "text": {"zh": "你用报表吗？"},
            "options": [{"code": "yes_", "text": {"zh": "用"}}, {"code": "no_", "text": {"zh": "不用"}}],
        },
        {
            "code": "report",
            "type": "likert5",
            "required": True,
            "text": {"zh": "报表好用吗？"},
            "show_if": {"question": "uses_report", "in": ["yes_"]},
        },
        {"code": "comment", "type": "text", "max_length": 300, "text": {"zh": "还有什么想说的？"}},
    ],
    "scales": [
        {
            "code": "module_purchase",
            "title": {"zh": "采购管理", "en": "Purchasing"},
            "scoring": "mean",
            "items": ["purchase"],
        },
        {"code": "module_stock", "title": {"zh": "库存管理", "en": "Stock"}, "scoring": "mean", "items": ["stock"]},
        {"code": "module_report", "title": {"zh": "报表中心", "en": "Reports"}, "scoring": "mean", "items": ["report"]},
    ],
}


def erp_definition(mutate=None):
    data = copy.deepcopy(ERP)
    if mutate:
        mutate(data)
    return surveys.from_dict(data)


def import_erp(mutate=None):
    version, _ = import_definition(db.session, erp_definition(mutate))
    db.session.commit()
    return version


def editor_data(form_data: dict, csrf_token: str, action: str = "save") -> MultiDict:
    """The editor form as a browser posts it (`app.instruments.editor.form_data` shape): booleans only when on."""
    posted = MultiDict({"csrf_token": csrf_token, "action": action})
    for key in ("name", "title_zh", "title_en", "description_zh", "description_en", "kind"):
        if key in form_data:
            posted[key] = form_data[key]
    for section in ("modules", "questions"):
        for index, row in enumerate(form_data.get(section, [])):
            for name, value in row.items():
                if isinstance(value, bool):
                    if value:
                        posted[f"{section}-{index}-{name}"] = "y"
                else:
                    posted[f"{section}-{index}-{name}"] = value
    return posted


class _FormReader(HTMLParser):
    """What a browser without JavaScript would post from the form with id `form_id` (buttons aside)."""

    def __init__(self, form_id: str):
        super().__init__(convert_charrefs=True)
        self.form_id, self.inside, self.fields = form_id, False, MultiDict()
        self.textarea = self.select = None
        self.text, self.select_value, self.first_option = [], None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = attrs.get("id") == self.form_id
        if not self.inside:
            return
        name = attrs.get("name")
        if tag == "input" and name and attrs.get("type") not in ("submit", "button"):
            if attrs.get("type") in ("checkbox", "radio"):
                if "checked" in attrs:
                    self.fields.add(name, attrs.get("value", "y"))
            else:
                self.fields.add(name, attrs.get("value", ""))
        elif tag == "textarea" and name:
            self.textarea, self.text = name, []
        elif tag == "select" and name:
            self.select, self.select_value, self.first_option = name, None, None
        elif tag == "option" and self.select:
            value = attrs.get("value", "")
            if self.first_option is None:
                self.first_option = value
            if "selected" in attrs:
                self.select_value = value

    def handle_data(self, data):
        if self.textarea:
            self.text.append(data)

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "textarea" and self.textarea:
            self.fields.add(self.textarea, "".join(self.text).removeprefix("\n"))
            self.textarea = None
        elif tag == "select" and self.select:
            chosen = self.select_value if self.select_value is not None else self.first_option
            self.fields.add(self.select, chosen or "")
            self.select = None


def form_fields(html: str, form_id: str = "editor") -> MultiDict:
    reader = _FormReader(form_id)
    reader.feed(html)
    return reader.fields


def press(client, url: str, html: str, action: str, changes: dict | None = None):
    """Post the editor form of `html` as shown, with `changes` typed in (None unticks a box), by the button
    `action`; returns the response."""
    fields = form_fields(html)
    for name, value in (changes or {}).items():
        if value is None:
            fields.poplist(name)
        else:
            fields.setlist(name, value if isinstance(value, list) else [value])
    fields["action"] = action
    return client.post(url, data=fields)
