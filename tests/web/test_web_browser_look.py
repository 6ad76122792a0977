"""Every kind of page in a real browser (Debian's chromium): fits a phone, words whole, the strip centred,
axe-core clean, /port/80 short enough, and a keyboard vote that keeps focus and is announced."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.web.test_web_browser import browser  # noqa: F401  (the fixture)

AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
PAGES = ["/", "/port/307", "/port/80", "/port/0", "/port/25565", "/port/65535", "/port/60000", "/service/http",
         "/range/system", "/range/user", "/range/dynamic", "/gaps", "/gaps/2", "/stats", "/search?q=postgres",
         "/ports/0-255", "/no-such-page"]
WIDTHS = [360, 390, 768, 1280]

# A word is a run of letters and digits: the browser may break a line at a space, a hyphen or other
# punctuation ("p=|<password>"), never inside the run ("novastorb|akcup"), whose pieces would then sit
# on two line boxes. Closed <details> are opened first, so folded text is checked too.
BROKEN_WORDS = """() => {
  document.querySelectorAll('details').forEach(d => { d.open = true; });
  const bad = [], range = document.createRange();
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node; (node = walker.nextNode());) {
    const el = node.parentElement;
    if (!el || el.closest('script, style, svg')) continue;
    const re = /[\\p{L}\\p{N}]{2,}/gu;
    for (let m; (m = re.exec(node.data));) {
      range.setStart(node, m.index); range.setEnd(node, m.index + m[0].length);
      const tops = new Set(Array.from(range.getClientRects()).filter(r => r.width > 0).map(r => Math.round(r.top)));
      if (tops.size > 1) bad.push(m[0] + ' in <' + el.tagName.toLowerCase() + '.' + el.className + '>');
    }
  }
  return bad;
}"""

STRIP = """() => {
  const strip = document.querySelector('ol.strip'), me = strip.querySelector('li.this');
  const shown = Array.from(strip.children).filter(li => getComputedStyle(li).display !== 'none');
  const s = strip.getBoundingClientRect(), c = me.getBoundingClientRect();
  const i = shown.indexOf(me);
  return {offset: (c.left + c.width / 2) - (s.left + s.width / 2), before: i, after: shown.length - 1 - i,
          cell: c.width, scroll: strip.scrollWidth - strip.clientWidth};
}"""


@pytest.fixture(scope="module")
def site_server(tmp_path_factory):  # type: ignore[no-untyped-def]
    from tests.web.conftest import Server

    data = tmp_path_factory.mktemp("browser-data")
    s = Server({"PORTATLAS_DATA_DIR": str(data), "PORTATLAS_FEEDBACK_RATE": "0"}).start()
    yield s
    s.stop()


@pytest.mark.browser
@pytest.mark.server
def test_every_kind_of_page_fits_360_px_and_breaks_no_word_from_360_to_1280(browser, site_server):  # noqa: F811
    problems: dict[str, list[str]] = {}
    for width in WIDTHS:
        page = browser.new_page(viewport={"width": width, "height": 800})
        for path in PAGES:
            page.goto(site_server.url + path)
            where = f"{path} at {width} px"
            if width == 360:
                scroll = page.evaluate("document.documentElement.scrollWidth")
                if scroll > width:
                    problems.setdefault(where, []).append(f"scrolls sideways: {scroll} px wide")
            broken = page.evaluate(BROKEN_WORDS)
            if page.evaluate("document.documentElement.scrollWidth") > width and width == 360:
                problems.setdefault(where, []).append("scrolls sideways with every fold open")
            if broken:
                problems.setdefault(where, []).extend(broken[:5])
        page.close()
    assert problems == {}, json.dumps(problems, indent=1)


@pytest.mark.browser
@pytest.mark.server
@pytest.mark.parametrize("port", [0, 1, 80, 307, 25565, 65535])
def test_the_neighbourhood_strip_is_centred_on_the_port_at_every_width(browser, site_server, port):  # noqa: F811
    page = browser.new_page(viewport={"width": 360, "height": 800})
    page.goto(f"{site_server.url}/port/{port}")
    seen = set()
    for width in (360, 390, 480, 600, 768, 1024, 1280):
        page.set_viewport_size({"width": width, "height": 800})
        got = page.evaluate(STRIP)
        assert abs(got["offset"]) <= 1.5, (width, got)
        assert got["before"] == got["after"] >= 2, (width, got)  # symmetric, at least 2 either side
        assert got["scroll"] == 0, (width, got)
        seen.add(got["before"])
    assert seen >= {2, 5}  # fewer cells on a phone, all eleven on a desktop


@pytest.mark.browser
@pytest.mark.server
def test_axe_core_finds_no_violation_on_any_kind_of_page(browser, site_server):  # noqa: F811
    source = AXE.read_text(encoding="utf-8")
    found: dict[str, list[str]] = {}
    for width in (360, 1280):
        # The page's CSP runs only the site's own scripts; the test's context lets axe in.
        ctx = browser.new_context(viewport={"width": width, "height": 800}, bypass_csp=True)
        page = ctx.new_page()
        for path in PAGES:
            page.goto(site_server.url + path)
            page.add_script_tag(content=source)
            result = page.evaluate("async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
                                   ".map(v => v.id + ' (' + v.impact + '): ' "
                                   "+ v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(', '))")
            if result:
                found[f"{path} at {width} px"] = result
        ctx.close()
    assert found == {}, json.dumps(found, indent=1)


@pytest.mark.browser
@pytest.mark.server
def test_port_80_fits_six_phone_screens(browser, site_server):  # noqa: F811
    page = browser.new_page(viewport={"width": 390, "height": 844})
    page.goto(site_server.url + "/port/80")
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height <= 6 * 844, f"/port/80 is {height} px tall: {height / 844:.1f} screens of 844 px"


@pytest.mark.browser
@pytest.mark.server
def test_a_keyboard_vote_keeps_focus_is_announced_and_a_second_vote_replaces_it(browser, site_server):  # noqa: F811
    page = browser.new_page()
    page.goto(site_server.url + "/port/4242")
    yes0, no0 = int(page.inner_text("#fb-yes")), int(page.inner_text("#fb-no"))
    page.focus("#fb-comment")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "fb-yes-btn"
    page.keyboard.press("Enter")
    page.locator("#fb-status", has_text="counted").wait_for()
    assert page.evaluate("document.activeElement.id") == "fb-yes-btn"  # focus stays put
    assert page.get_attribute("#fb-status", "role") == "status"
    assert page.get_attribute("#fb-yes-btn", "aria-pressed") == "true"
    assert (int(page.inner_text("#fb-yes")), int(page.inner_text("#fb-no"))) == (yes0 + 1, no0)
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")  # the same browser changes its mind
    page.locator("#fb-status", has_text="(no)").wait_for()
    assert page.evaluate("document.activeElement.id") == "fb-no-btn"
    assert (int(page.inner_text("#fb-yes")), int(page.inner_text("#fb-no"))) == (yes0, no0 + 1)
    page.reload()  # the voter id outlives the page
    assert (int(page.inner_text("#fb-yes")), int(page.inner_text("#fb-no"))) == (yes0, no0 + 1)
    page.click("#fb-yes-btn")
    page.locator("#fb-status", has_text="(yes)").wait_for()
    assert (int(page.inner_text("#fb-yes")), int(page.inner_text("#fb-no"))) == (yes0 + 1, no0)
