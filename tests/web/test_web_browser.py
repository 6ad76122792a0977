"""A real browser (Debian's chromium through Playwright) on a real server: read, vote, search."""

from __future__ import annotations

import os
import re
import shutil

import pytest

CHROMIUM_ENV = "PORTATLAS_TEST_CHROMIUM"  # the browser's executable; else `chromium` on PATH
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]


def chromium() -> str:
    """Debian's chromium (or the one PORTATLAS_TEST_CHROMIUM names); the test is skipped without one."""
    env = os.environ.get(CHROMIUM_ENV)
    found = shutil.which(env) if env else shutil.which("chromium")
    if not found:
        pytest.skip(f"{env} is not an executable ({CHROMIUM_ENV})" if env else
                    f"no chromium on PATH: apt-get install chromium, or set {CHROMIUM_ENV} (.ci/run installs it)")
    return found


@pytest.fixture
def browser():  # type: ignore[no-untyped-def]
    executable = chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=executable, args=ARGS, headless=True)
        yield b
        b.close()


@pytest.mark.browser
@pytest.mark.server
def test_read_vote_and_search_in_a_browser(browser, serve, registry):
    server = serve()
    page = browser.new_page(viewport={"width": 390, "height": 844})  # a phone
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(server.url + "/port/307")
    rep = registry.answer(307)
    assert page.title().startswith(rep.headline)
    assert page.locator("#headline").inner_text() == rep.headline
    b = registry.block(307)
    assert f"{b.low}-{b.high}" in page.locator("#block").inner_text()
    assert f"rank {b.rank} of {b.of}" in page.locator("#block").inner_text()
    # Usable on a phone: nothing wider than the screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    before = int(page.locator("#fb-yes").inner_text())
    page.locator("#fb-yes-btn").click()
    # A locator, not wait_for_function: the page's CSP forbids the eval its polling needs.
    page.locator("#fb-yes", has_text=re.compile(f"^{before + 1}$")).wait_for(timeout=10000)
    assert "your vote (yes) is counted" in page.locator("#fb-status").inner_text()
    page.reload()
    assert int(page.locator("#fb-yes").inner_text()) == before + 1

    page.goto(server.url + "/")
    page.fill("#q", "postgres")
    page.press("#q", "Enter")
    page.wait_for_url(re.compile(r".*/search\?q=postgres"))
    page.locator('a[href="/port/5432"]').first.click()
    page.wait_for_url(re.compile(r".*/port/5432$"))
    assert page.locator("#headline").inner_text() == registry.answer(5432).headline
    assert errors == []


@pytest.mark.browser
@pytest.mark.server
def test_the_feedback_form_works_without_javascript(browser, serve):
    server = serve()
    ctx = browser.new_context(java_script_enabled=False)
    page = ctx.new_page()
    page.goto(server.url + "/port/22")
    before = int(page.locator("#fb-no").inner_text())
    page.fill("#fb-comment", "<script>alert(1)</script>")
    page.locator("#fb-no-btn").click()
    page.wait_for_url(re.compile(r".*/port/22#feedback$"))
    assert int(page.locator("#fb-no").inner_text()) == before + 1
    ctx.close()


@pytest.mark.browser
@pytest.mark.server
def test_every_kind_of_page_fits_a_phone_and_runs_no_failing_script(browser, serve):
    server = serve()
    page = browser.new_page(viewport={"width": 360, "height": 740})
    problems: list[str] = []
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    for path in ("/", "/port/307", "/port/80", "/port/60000", "/service/http", "/range/system", "/range/user",
                 "/range/dynamic", "/gaps", "/stats", "/search?q=postgres", "/ports/0-255"):
        page.goto(server.url + path)
        assert page.evaluate("document.documentElement.scrollWidth") <= 360, path
    assert problems == []


@pytest.mark.browser
def test_the_static_export_searches_and_links_without_python_behind_it(browser, tmp_path, registry):
    import functools
    import http.server
    import threading

    from portatlas.export.site import export_site

    export_site(tmp_path / "site", registry=registry, ports=[5432], pages=["/"], services=[], jobs=1, progress=False)
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(tmp_path / "site"))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        base = f"http://127.0.0.1:{httpd.server_address[1]}"
        page = browser.new_page()
        page.goto(base + "/")
        page.fill("#q", "postgres")
        page.press("#q", "Enter")
        page.locator('#search-results a[href="/port/5432"]').first.click()
        page.wait_for_url(re.compile(r".*/port/5432/?$"))
        assert page.locator("#headline").inner_text() == registry.answer(5432).headline
        page.goto(base + "/search/?q=5432")
        page.wait_for_url(re.compile(r".*/port/5432/?$"))
    finally:
        httpd.shutdown()
