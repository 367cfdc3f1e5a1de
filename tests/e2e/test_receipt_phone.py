"""The receipt code and its lookup on a phone: the code breaks only between its groups, never inside one,
and the lookup's 查询 button sits beside the input on one line."""

import pytest
from flask import render_template

GROUP_LINES = """() => {
  // lines each group of the code occupies, measured per character (whatever the markup)
  const code = document.querySelector('.receipt-code');
  const range = document.createRange();
  const groups = [new Set()];
  const walker = document.createTreeWalker(code, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    for (let i = 0; i < node.length; i++) {
      if (node.data[i] === '-') { groups.push(new Set()); continue; }
      range.setStart(node, i); range.setEnd(node, i + 1);
      groups[groups.length - 1].add(Math.round(range.getBoundingClientRect().top));
    }
  }
  return groups.map((tops) => tops.size);
}"""
CODE = "2345-6789-ABCD-EFGH"  # fixed, so each run lays out the same code


@pytest.mark.parametrize("template", ["respond/thanks.html", "board/suggested.html"])
@pytest.mark.parametrize("width", [280, 375])
def test_a_receipt_code_never_breaks_inside_a_group(live_app, browser, template, width):
    context = browser.new_context(viewport={"width": width, "height": 640}, locale="zh-CN")
    page = context.new_page()
    page.goto(f"{live_app.config['LIVE_URL']}/board/receipt")  # the page's origin serves the stylesheet
    with live_app.test_request_context("/"):
        page.set_content(render_template(template, receipt=CODE))
    page.wait_for_selector(".receipt-code")
    assert page.evaluate(GROUP_LINES) == [1, 1, 1, 1]
    context.close()


def test_the_box_shows_its_receipt_code_in_whole_groups(live_app, phone):
    phone.goto(f"{live_app.config['LIVE_URL']}/board/suggest")
    phone.fill("[name=title]", "希望能批量审批")
    phone.click("button[type=submit]")
    assert phone.evaluate(GROUP_LINES) == [1, 1, 1, 1]


@pytest.mark.parametrize("width", [320, 375])
def test_the_lookup_button_sits_beside_the_input_on_one_line(live_app, browser, width):
    context = browser.new_context(viewport={"width": width, "height": 640}, locale="zh-CN")
    page = context.new_page()
    page.goto(f"{live_app.config['LIVE_URL']}/board/receipt")
    button = page.locator("form[role=search] button[type=submit]")
    field = page.locator("form[role=search] input[name=code]").bounding_box()
    box = button.bounding_box()
    line = page.evaluate("(b) => parseFloat(getComputedStyle(b).lineHeight) || 24", button.element_handle())
    assert box["height"] < 2 * line + 2 * 16, f"查询 wraps: {box}"
    assert abs(box["y"] - field["y"]) < 4 and box["x"] >= field["x"] + field["width"], (box, field)
    context.close()
