"""A breadth-first crawl of the site as one visitor sees it, and the visible text of its pages.

The crawl follows every same-site `<a href>` (and redirect) from its start pages, skipping only the
logout endpoint and downloads (links with a `download` attribute are not fetched; a response that is
not HTML is checked but not parsed). It also fetches the JSON each chart (`[data-chart][data-src]`)
draws from, since chart labels are UI text too.
"""

from __future__ import annotations

import json
import re
from collections import deque
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

from werkzeug.exceptions import HTTPException

ORIGIN = "http://localhost"
REDIRECTS = (301, 302, 303, 307, 308)
SKIPPED_ENDPOINTS = {"auth.logout"}


@dataclass
class Page:
    url: str
    status: int
    content_type: str
    body: str | None = field(repr=False)
    referrers: list[str] = field(default_factory=list, repr=False)

    @property
    def is_html(self) -> bool:
        return self.content_type.startswith("text/html")


@dataclass
class Crawl:
    pages: dict[str, Page]
    charts: dict[str, Page]  # chart JSON by URL, with the pages that draw it as referrers

    def failures(self) -> list[Page]:
        return [page for page in [*self.pages.values(), *self.charts.values()] if page.status >= 500]


class _Links(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.charts: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "a" and attributes.get("href") and "download" not in attributes:
            self.links.append(attributes["href"])
        if "data-chart" in attributes and attributes.get("data-src"):
            self.charts.append(attributes["data-src"])


def _same_site(base: str, href: str) -> str | None:
    """The path and query of `href` (relative to `base`) if it is on this site, else None."""
    parts = urlsplit(urljoin(ORIGIN + base, href.strip()))
    if parts.scheme not in ("http", "https") or f"{parts.scheme}://{parts.netloc}" != ORIGIN:
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _endpoint(app, url: str) -> str | None:
    """The endpoint a URL's path routes to, whichever method the route takes (logout only takes POST)."""
    adapter = app.url_map.bind("localhost")
    for method in ("GET", "POST"):
        try:
            return adapter.match(urlsplit(url).path, method=method)[0]
        except HTTPException:
            continue
    return None


def _skipped(app, url: str) -> bool:
    return _endpoint(app, url) in SKIPPED_ENDPOINTS


def _fetch(client, url: str) -> tuple[Page, list[str], list[str]]:
    response = client.get(url)
    page = Page(url, response.status_code, response.content_type or "", None)
    if response.status_code in REDIRECTS:
        return page, [response.headers["Location"]], []
    if not page.is_html and not page.content_type.startswith("application/json"):
        return page, [], []  # a download: checked, not parsed
    page.body = response.get_data(as_text=True)
    if not page.is_html:
        return page, [], []
    parser = _Links()
    parser.feed(page.body)
    return page, parser.links, parser.charts


def crawl(client, starts=("/", "/board/")) -> Crawl:
    pages: dict[str, Page] = {}
    charts: dict[str, Page] = {}
    referrers: dict[str, list[str]] = {url: ["(start)"] for url in starts}
    queue = deque(starts)
    while queue:
        url = queue.popleft()
        if url in pages:
            continue
        page, links, chart_sources = _fetch(client, url)
        page.referrers = referrers[url]
        pages[url] = page
        for href in links:
            target = _same_site(url, href)
            if target is None or _skipped(client.application, target):
                continue
            referrers.setdefault(target, []).append(url)
            if target not in pages:
                queue.append(target)
        for src in chart_sources:
            target = _same_site(url, src)
            if target is None:
                continue
            if target not in charts:
                charts[target] = _fetch(client, target)[0]
            charts[target].referrers.append(url)
    return Crawl(pages, charts)


def describe(pages: list[Page]) -> str:
    return "\n".join(f"  {page.status} {page.url}  ← linked from {', '.join(page.referrers[:5])}" for page in pages)


VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
VISIBLE_ATTRIBUTES = ("title", "placeholder", "aria-label", "alt", "data-label", "data-labels")
# Not UI text: what is not shown, what a user typed (form values) and literal values (`<code>部门</code>`)
NOT_UI_TEXT = {"script", "style", "template", "head", "textarea", "code", "kbd", "samp"}


@dataclass(frozen=True)
class Text:
    """A piece of visible text and where it sits (`h2 > small`, `td[data-label]`)."""

    text: str
    where: str


class VisibleText(HTMLParser):
    """The UI text of a page's body: text nodes and visible attributes, minus what is marked as data.

    User data is marked with `class="data"` on the element holding it (user data keeps the language it was
    written in); an element with a `lang` attribute other than the page's is deliberately in that language
    (the language switch). Marked elements must be closed explicitly.
    """

    def __init__(self, page_language: str):
        super().__init__(convert_charrefs=True)
        self.page_language = page_language
        self.stack: list[str] = []
        self.exempt: list[tuple[str, int]] = []  # (tag, depth) of open marked or hidden elements
        self.texts: list[Text] = []

    def _exempt_now(self) -> bool:
        return bool(self.exempt)

    def _marks(self, tag: str, attributes: dict) -> bool:
        classes = (attributes.get("class") or "").split()
        lang = attributes.get("lang")
        foreign = lang is not None and not lang.lower().startswith(self.page_language)
        return "data" in classes or foreign or tag in NOT_UI_TEXT

    def handle_starttag(self, tag, attrs):
        attributes = {name: value or "" for name, value in attrs}
        where = " > ".join([*self.stack[-2:], tag])
        if not self._exempt_now() and not self._marks(tag, attributes):
            for name in VISIBLE_ATTRIBUTES:
                if attributes.get(name):
                    self.texts.append(Text(attributes[name], f"{where}[{name}]"))
            if tag == "input" and attributes.get("type") in ("submit", "button", "reset") and attributes.get("value"):
                self.texts.append(Text(attributes["value"], f"{where}[value]"))
        if tag in VOID:
            return
        self.stack.append(tag)
        if self._marks(tag, attributes):
            self.exempt.append((tag, len(self.stack)))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag):
        if tag in VOID or tag not in self.stack:
            return
        while self.stack:
            open_tag = self.stack.pop()
            if self.exempt and self.exempt[-1][1] > len(self.stack):
                self.exempt.pop()
            if open_tag == tag:
                break

    def handle_data(self, data):
        if not self._exempt_now() and data.strip():
            self.texts.append(Text(data.strip(), " > ".join(self.stack[-3:])))


def visible_texts(html: str, page_language: str) -> list[Text]:
    parser = VisibleText(page_language)
    parser.feed(html)
    parser.close()
    return parser.texts


def chart_labels(body: str) -> list[Text]:
    """Labels of a chart's segments that were made from a code (role, status): those are UI text, while
    a label equal to its key (a department path, a wave name) is the user's data."""
    document = json.loads(body)
    return [
        Text(str(segment["label"]), f"segments[key={segment.get('key')}].label")
        for segment in document.get("segments", [])
        if segment.get("label") is not None and str(segment["label"]) != str(segment.get("key"))
    ]


CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]+")
LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z-]*[A-Za-z]")
