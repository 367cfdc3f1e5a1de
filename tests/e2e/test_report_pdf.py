"""The quarterly report printed to PDF by headless Chromium: a cover, then one A4 page per section."""

import io
import unicodedata

from pypdf import PdfReader

from app.extensions import db
from app.staff import create_staff_user
from tests.e2e.conftest import log_in
from tests.web.report_helpers import quarter_with_everything

PASSWORD = "manager password 1"
SECTIONS = [
    "1. 核心指标",
    "2. 各部门满意度、准备度与使用情况",
    "3. 高频意见主题",
    "4. 改进建议进展",
    "5. 你说，我们做",
    "6. 需要关注的部门",
]
# Noto Sans CJK draws some ideographs with the glyph of a radical, and Chromium's PDF maps such a glyph
# back to the radical (⻔ for 门, ⼼ for 心). NFKC folds the Kangxi radicals; these simplified ones it keeps.
SIMPLIFIED_RADICALS = str.maketrans(
    {"⻅": "见", "⻓": "长", "⻔": "门", "⻚": "页", "⻛": "风", "⻋": "车", "⻢": "马"}
)


def page_texts(pdf: bytes) -> list[str]:
    reader = PdfReader(io.BytesIO(pdf))
    return [
        unicodedata.normalize("NFKC", page.extract_text()).translate(SIMPLIFIED_RADICALS).replace(" ", "")
        for page in reader.pages
    ]


def printed_report(live_app, browser) -> bytes:
    with live_app.app_context():
        create_staff_user(db.session, "pmo@example.com", "manager", PASSWORD)
        quarter_with_everything()
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    base = live_app.config["LIVE_URL"]
    log_in(page, base, "pmo@example.com", PASSWORD)
    page.goto(base + "/reports/2026Q4")
    page.emulate_media(media="print")
    pdf = page.pdf(format="A4", print_background=True)
    context.close()
    return pdf


def test_report_prints_a_cover_and_one_page_per_section(live_app, browser):
    pages = page_texts(printed_report(live_app, browser))
    assert len(pages) == 1 + len(SECTIONS)
    assert "示例集团" in pages[0] and "系统健康度报告" in pages[0] and "2026年第四季度" in pages[0]
    for number, title in enumerate(SECTIONS, start=1):
        assert unicodedata.normalize("NFKC", title).replace(" ", "") in pages[number], (title, pages[number][:80])
    assert all("变革脉搏" not in text for text in pages)  # no site menu or footer on paper
