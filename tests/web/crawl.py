"""A breadth-first crawl of the site as one visitor sees it.

The crawl follows every same-site `<a href>` (and redirect) from its start pages, skipping only the
logout endpoint and downloads (links with a `download` attribute are not fetched; a response that is
not HTML is checked but not parsed). It also fetches the JSON each chart (`[data-chart][data-src]`)
draws from, since chart labels are UI text too.
"""

from __future__ import annotations

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


def _skipped(app, url: str) -> bool:
    adapter = app.url_map.bind("localhost")
    try:
        endpoint, _ = adapter.match(urlsplit(url).path, method="GET")
    except HTTPException:
        return False
    return endpoint in SKIPPED_ENDPOINTS


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
