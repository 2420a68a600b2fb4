"""The web UI in a real browser: Playwright driving Debian's Chromium.

Ask in the UI, get an answer with citation chips, click one, see the highlighted passage in the
source panel; the screenshot goes to evals/out/ui.png (not committed).
"""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.ui.conftest import KEYS

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"]
OUT = Path(__file__).resolve().parents[2] / "evals" / "out"

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


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="nb-NO")
    page = context.new_page()
    page.problems = []
    page.on("pageerror", lambda error: page.problems.append(f"pageerror: {error}"))
    page.on("console", lambda message: page.problems.append(message.text) if message.type == "error" else None)
    yield page
    context.close()


def ask(page, question: str) -> None:
    page.fill("#question textarea", question)
    page.click("#send")
    page.wait_for_selector("#conversation .msg.bot:not(.pending) .answer", timeout=90_000)


def test_answer_chip_opens_highlighted_source(page, open_server):
    page.goto(open_server + "/")
    page.wait_for_selector("#question textarea", timeout=60_000)
    page.wait_for_selector(".role-badge", timeout=30_000)
    assert "member" in page.inner_text(".role-badge")

    ask(page, "Hva ble vedtatt i sak 7/1/2026?")
    answer = page.locator("#conversation .msg.bot .answer").last
    assert "Sak 7/1/2026" in answer.inner_text()
    chips = answer.locator(".cite-chip")
    assert chips.count() >= 2
    assert chips.first.inner_text() == "1"

    chips.last.click()
    panel = page.locator("#source-panel .source-panel.open")
    panel.locator("mark").wait_for(timeout=5_000)
    text = panel.inner_text()
    assert "7/1/2026" in text and "Side" in text and "Møte" in text
    highlighted = panel.locator("mark").inner_text()
    assert len(highlighted) > 20 and highlighted.split()[0] in panel.locator(".src-passage").inner_text()
    link = panel.locator("a.src-link")
    assert link.get_attribute("href").startswith("/api/documents/") and "#page=" in link.get_attribute("href")
    assert "active" in chips.last.get_attribute("class")

    OUT.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(OUT / "ui.png"))

    # The linked original is served to the same browser session.
    response = page.request.get(open_server + link.get_attribute("href").split("#")[0])
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"

    # Export carries the answer with its sources; "Ny samtale" clears the conversation and the panel.
    page.get_by_text("Kopier eller eksporter svaret (Markdown)").click()
    exported = page.locator("#export textarea").input_value()
    assert exported.startswith("## Spørsmål") and "**Kilder:**" in exported
    page.click("#new-chat")
    page.wait_for_selector("#conversation .welcome", timeout=10_000)
    assert page.locator("#source-panel .source-panel.open").count() == 0
    assert not [p for p in page.problems if "Content Security Policy" in p or "pageerror" in p], page.problems


def test_case_browser_opens_a_case_card(page, open_server):
    page.goto(open_server + "/")
    page.wait_for_selector(".role-badge", timeout=60_000)
    page.get_by_role("tab", name="Saker").click()
    page.fill("#case-search textarea, #case-search input", "19/2/2026")
    # Gradio's table is virtualised: rows and cells are ARIA grid elements, not <tr>/<td>.
    row = page.locator("#cases-table [role=row]").filter(has_text="19/2/2026").first
    row.wait_for(timeout=20_000)
    row.locator("[role=gridcell]").nth(1).click()
    page.wait_for_selector("#conversation .msg.bot:not(.pending) .answer", timeout=90_000)
    card = page.locator("#conversation .msg.bot .answer").last.inner_text()
    assert "Sak 19/2/2026" in card
    assert page.locator("#conversation .msg.bot .cite-chip").count() >= 1


def test_login_with_a_key_gives_the_role(page, keyed_server):
    page.goto(keyed_server + "/")
    page.wait_for_selector("input[name=key]", timeout=30_000)
    assert "/login" in page.url
    page.fill("input[name=key]", KEYS["secretariat"])
    page.click("button[type=submit]")
    page.wait_for_selector(".role-badge", timeout=60_000)
    assert "secretariat" in page.inner_text(".role-badge")
    page.get_by_role("tab", name="Last opp").click()
    page.get_by_text("Last opp og les inn").wait_for(timeout=10_000)


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
