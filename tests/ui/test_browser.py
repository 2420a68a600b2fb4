"""The web UI in a real browser: Playwright driving Debian's Chromium, on a phone (390 × 844) and
on a desktop (1280 × 900).

Ask, get an answer with citation chips, open a source and come back to the answer; browse the
cases as cards; download the answer as Word. Nothing may scroll sideways. Screenshots go to
evals/results/ui/ (committed, so a reviewer sees what the tests saw).
"""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.ui.conftest import KEYS

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"]
SHOTS = Path(__file__).resolve().parents[2] / "evals" / "results" / "ui"
VIEWPORTS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 900}}

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Chromium mangler (/usr/bin/chromium): installer med `apt-get install -y chromium` for å kjøre nettlesertestene"),
]


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
        yield browser
        browser.close()


def _page(browser, viewport):
    context = browser.new_context(viewport=viewport, locale="nb-NO", accept_downloads=True)
    page = context.new_page()
    page.problems = []
    page.on("pageerror", lambda error: page.problems.append(f"pageerror: {error}"))
    page.on("console", lambda message: page.problems.append(message.text) if message.type == "error" else None)
    return context, page


@pytest.fixture(params=list(VIEWPORTS))
def sized_page(browser, request):
    context, page = _page(browser, VIEWPORTS[request.param])
    page.size_name = request.param
    yield page
    context.close()


@pytest.fixture
def page(browser):
    context, page = _page(browser, VIEWPORTS["desktop"])
    yield page
    context.close()


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}-{page.viewport_size['width']}.png"))


def assert_no_sideways_scroll(page) -> None:
    widths = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], f"horizontal overflow: scrollWidth {widths[0]} > innerWidth {widths[1]}"


def in_view(page, locator) -> bool:
    box = locator.bounding_box()
    return box is not None and box["y"] >= 0 and box["y"] + min(box["height"], 40) <= page.viewport_size["height"]


def ask(page, question: str) -> None:
    page.fill("#question textarea", question)
    page.click("#send")
    page.wait_for_selector("#conversation .msg.bot:not(.pending) .answer", timeout=90_000)


def open_start(page, url: str) -> None:
    page.goto(url + "/")
    page.wait_for_selector("#question textarea", timeout=60_000)
    page.wait_for_selector(".role-badge", timeout=30_000)


def test_answer_chip_opens_the_source_and_returns_to_the_answer(sized_page, open_server):
    page = sized_page
    open_start(page, open_server)
    assert "member" in page.inner_text(".role-badge")
    assert_no_sideways_scroll(page)
    width = page.viewport_size["width"]
    if page.size_name == "phone":  # full width: the question box is not squeezed beside the buttons
        for selector in ("#conversation", "#question textarea", "#source-panel"):
            assert page.locator(selector).bounding_box()["width"] >= 0.8 * width, selector

    ask(page, "Hva ble vedtatt i sak 7/1/2026?")
    assert_no_sideways_scroll(page)
    answer = page.locator("#conversation .msg.bot .answer").last
    assert "Sak 7/1/2026" in answer.inner_text()
    chips = answer.locator(".cite-chip")
    assert chips.count() >= 2 and chips.first.inner_text() == "1"
    shot(page, "answer")

    chip = chips.last
    chip.click()
    panel = page.locator("#source-panel .source-panel.open")
    panel.locator("mark").wait_for(timeout=5_000)
    page.wait_for_timeout(800)  # the smooth scroll to the panel
    text = panel.inner_text()
    assert "7/1/2026" in text and "Side" in text and "Møte" in text
    assert in_view(page, panel.locator("mark").first), "the source is scrolled into view"
    highlighted = panel.locator("mark").inner_text()
    assert len(highlighted) > 20 and highlighted.split()[0] in panel.locator(".src-passage").inner_text()
    link = panel.locator("a.src-link")
    assert link.get_attribute("href").startswith("/api/documents/") and "#page=" in link.get_attribute("href")
    assert "active" in chip.get_attribute("class")
    assert_no_sideways_scroll(page)
    shot(page, "source")

    panel.locator(".src-back").click()
    page.wait_for_timeout(300)
    assert in_view(page, chip), "back at the chip in the answer"
    shot(page, "back")

    # The linked original is served to the same browser session.
    response = page.request.get(open_server + link.get_attribute("href").split("#")[0])
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    assert not [p for p in page.problems if "Content Security Policy" in p or "pageerror" in p], page.problems


def test_export_downloads_a_word_document_with_footnotes(page, open_server):
    from tests.ui.test_export import read_docx

    open_start(page, open_server)
    ask(page, "Hva ble vedtatt i sak 7/1/2026?")
    chips = {c.get_attribute("data-src") for c in page.locator("#conversation .answer .cite-chip").all()}
    page.get_by_text("Kopier eller eksporter svaret").click()
    exported = page.locator("#export textarea").input_value()
    assert exported.startswith("## Spørsmål") and "**Kilder:**" in exported
    link = page.locator("#export-links a.export-docx")
    href = link.get_attribute("href")
    assert href.startswith("/api/exports/") and href.endswith(".docx")
    with page.expect_download() as download:
        link.click()
    data = Path(download.value.path()).read_bytes()
    _, notes, references = read_docx(data)
    assert len(notes) == len(chips) and sorted(references) == sorted(notes)
    # "Ny samtale" clears the conversation, the panel and the export.
    page.click("#new-chat")
    page.wait_for_selector("#conversation .welcome", timeout=10_000)
    assert page.locator("#source-panel .source-panel.open").count() == 0
    assert page.locator("#export-links a").count() == 0


def test_case_browser_shows_readable_cards(sized_page, open_server):
    page = sized_page
    open_start(page, open_server)
    page.get_by_role("tab", name="Saker").click()
    cards = page.locator("#cases-list .case-card")
    cards.first.wait_for(timeout=20_000)
    assert_no_sideways_scroll(page)
    width = page.viewport_size["width"]
    rows = page.request.get(open_server + "/api/cases").json()
    rows = rows["cases"] if isinstance(rows, dict) else rows
    assert cards.count() == len(rows)
    for index in range(min(cards.count(), 6)):
        card = cards.nth(index)
        box = card.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= width
        number = card.locator(".case-number").bounding_box()
        assert number["height"] < 30 and number["width"] > 60, "the case number stays on one line"
        assert card.locator(".case-title").bounding_box()["width"] >= min(280, 0.6 * width)
    # Where the minutes are not archived the proposal is shown, labelled as one; long texts end
    # in a clean ellipsis and open in full.
    for row, card in zip(rows, cards.all()):
        text = card.inner_text()
        if row.get("decision"):
            assert "Vedtak:" in text
        elif row.get("proposal"):
            assert "Forslag til vedtak:" in text
    summaries = page.locator("#cases-list details summary")
    if summaries.count():
        assert summaries.first.inner_text().endswith("…")
    shot(page, "cases")

    page.fill("#case-search textarea, #case-search input", "19/2/2026")
    card = page.locator("#cases-list .case-card").filter(has_text="19/2/2026").first
    card.wait_for(timeout=20_000)
    card.locator(".case-open").click()
    page.wait_for_selector("#conversation .msg.bot:not(.pending) .answer", timeout=90_000)
    answer = page.locator("#conversation .msg.bot .answer").last.inner_text()
    assert "Sak 19/2/2026" in answer
    assert page.locator("#conversation .msg.bot .cite-chip").count() >= 1
    assert_no_sideways_scroll(page)


ATTACK_PAGE = b"""<!doctype html><html><head><meta charset="utf-8"><title>Kattebilder</title></head><body>
<script>
async function attack(target, docId) {
  const results = {};
  try {
    const response = await fetch(target + "/api/documents/" + docId, {method: "DELETE", credentials: "include"});
    results.delete = "status " + response.status;
  } catch (error) { results.delete = "blocked"; }
  const form = new FormData();
  form.append("file", new Blob(["# Angrep\\n\\nDette notatet er lastet opp fra en annen side."], {type: "text/markdown"}), "angrep.md");
  form.append("access", "public");
  try {  // multipart is a "simple" request: no preflight, the cookie goes along, the reply is opaque
    await fetch(target + "/api/documents", {method: "POST", body: form, credentials: "include", mode: "no-cors"});
    results.upload = "sent";
  } catch (error) { results.upload = "blocked"; }
  return results;
}
</script></body></html>"""


def test_cross_origin_page_cannot_delete_or_upload(browser, tmp_path):
    """A page on another port of 127.0.0.1 (same site, so the SameSite=Strict session cookie goes
    along) tries a DELETE and an upload against a logged-in secretariat's server: both fail, while
    the same requests from the server's own page succeed."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    import httpx

    from tests.conftest import make_settings
    from tests.ui.conftest import KEY_SPEC, live_server
    from ui.server import create_app

    class AttackPage(BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write(ATTACK_PAGE)

        def log_message(self, *args):
            pass

    settings = make_settings(tmp_path / "data")
    settings.server.api_keys = KEY_SPEC
    attacker = ThreadingHTTPServer(("127.0.0.1", 0), AttackPage)
    threading.Thread(target=attacker.serve_forever, daemon=True).start()
    evil = f"http://127.0.0.1:{attacker.server_address[1]}"
    secretariat = {"Authorization": f"Bearer {KEYS['secretariat']}"}
    folder = settings.data_dir.resolve() / "uploads" / "opplastet"
    try:
        with live_server(create_app(settings)) as server:
            stored = httpx.post(server + "/api/documents?wait=true", headers=secretariat, timeout=300,
                                files={"file": ("styrenotat.md", "# Styrenotat\n\nStyret drøfter budsjettet for neste år.\n".encode(), "text/markdown")},
                                data={"access": "internal"})
            assert stored.status_code == 201, stored.text
            context = browser.new_context()
            page = context.new_page()
            page.goto(server + "/login")
            page.fill("input[name=key]", KEYS["secretariat"])
            page.click("button[type=submit]")
            page.wait_for_url(server + "/", timeout=30_000)
            assert any(c["name"] == "radsarkiv_session" for c in context.cookies())

            page.goto(evil + "/")
            results = page.evaluate("([target, doc]) => attack(target, doc)", [server, "opplastet/styrenotat"])
            assert results["delete"] == "blocked", results  # the preflight is refused
            assert httpx.get(server + "/api/documents/opplastet/styrenotat", headers=secretariat).status_code == 200
            assert not (folder / "angrep.md").exists(), "the cross-origin upload was stored"
            listed = httpx.get(server + "/api/documents", headers=secretariat).json()["documents"]
            assert [d["doc_id"] for d in listed] == ["opplastet/styrenotat"]

            # The same session on the server's own page may delete: the cookie itself works.
            page.goto(server + "/login")
            own = page.evaluate("(doc) => fetch('/api/documents/' + doc, {method: 'DELETE'}).then(r => r.status)", "opplastet/styrenotat")
            assert own == 200
            context.close()
    finally:
        attacker.shutdown()


def test_source_without_pages_opens_at_the_highlighted_quote(page, browser, open_server):
    open_start(page, open_server)
    ask(page, "Hva er rundebordsserien om helsedata?")
    chips = page.locator("#conversation .answer .cite-chip")
    panel = page.locator("#source-panel .source-panel")
    found = False
    for chip in chips.all():
        chip.click()
        link = panel.locator("a.src-link").get_attribute("href")
        if "#page=" in link:
            continue
        found = True
        assert "#:~:text=" in link, link  # the browser scrolls to the quote and highlights it
        mark = panel.locator(".src-passage mark")
        assert mark.count() == 1 and len(mark.inner_text()) > 20
        assert page.request.get(open_server + link.split("#")[0]).status == 200
        shot(page, "source-without-pages")
        # The original opens at the quote, highlighted by the browser, not at the top.
        context, original = _page(browser, {"width": 390, "height": 500})
        original.goto(open_server + link.split("#")[0])
        assert original.evaluate("window.scrollY") == 0
        original.goto(open_server + link)
        original.wait_for_function("window.scrollY > 0", timeout=5_000)
        shot(original, "original-at-quote")
        context.close()
        break
    assert found, "the answer cites a source without pages"


def test_login_with_a_key_gives_the_role_and_exports_stay_private(browser, keyed_server):
    context, page = _page(browser, VIEWPORTS["desktop"])
    try:
        page.goto(keyed_server + "/")
        page.wait_for_selector("input[name=key]", timeout=30_000)
        assert "/login" in page.url
        page.fill("input[name=key]", KEYS["admin"])
        page.click("button[type=submit]")
        page.wait_for_selector(".role-badge", timeout=60_000)
        assert "admin" in page.inner_text(".role-badge")
        ask(page, "Hva er rådets mandat?")
        page.get_by_text("Kopier eller eksporter svaret").click()
        href = page.locator("#export-links a.export-docx").get_attribute("href")
        assert page.request.get(keyed_server + href).status == 200
        # Another role, or no session at all, gets nothing, even with the exact URL.
        for role in ("member", "secretariat"):
            response = page.request.get(keyed_server + href, headers={"Authorization": f"Bearer {KEYS[role]}"})
            assert response.status == 404
        other, stranger = _page(browser, VIEWPORTS["desktop"])
        assert stranger.request.get(keyed_server + href).status == 401
        other.close()
        page.get_by_role("tab", name="Last opp").click()
        page.get_by_text("Last opp og les inn").wait_for(timeout=10_000)
    finally:
        context.close()
