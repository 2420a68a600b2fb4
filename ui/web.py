"""The Gradio web UI (Bokmål; an English question gets English answer labels).

The conversation is our own HTML (ui/api/render.py): each citation marker becomes a numbered
chip, and each answer carries its source cards in hidden elements. A click on a chip is handled
in the browser by ui/static/radsarkiv.js, which copies the card into the source panel — no round
trip, so it works the same for every answer on the page. Every handler runs with the caller's
role (the session's API key, or `member` for anonymous loopback use).
"""
from __future__ import annotations

import html
import logging
import re
from pathlib import Path

import gradio as gr

from assistant.prompts import phrase
from ui.api.render import case_cards_html, error_turn_html, export_markdown, turn_html

MODES = {"ask": "ui_mode_ask", "decisions": "ui_mode_decisions", "draft": "ui_mode_draft"}
EXAMPLES = ("ui_example_case", "ui_example_mandate", "ui_example_meetings", "ui_example_topic")


def t(key: str, **fields) -> str:
    return phrase(key, "nb", **fields)


def steer(question: str, mode: str) -> str:
    """The mode as a question the assistant routes accordingly; typed intent always wins."""
    from assistant.language import detect_language
    from ingest.case_numbers import find_case_references

    text = question.strip()
    if mode == "ask" or not text:
        return text
    lang = detect_language(text, [])
    topic = re.sub(r"^.*?\b(om|about|on|angående)\s+", "", text.rstrip("?.! "), count=1, flags=re.I) or text
    if mode == "decisions":
        if find_case_references(text) or re.search(r"vedt|vedtak|decid|decision|besluttet", text, re.I):
            return text
        return phrase("mode_decisions_question", lang, topic=topic)
    if re.search(r"utkast|draft|høringssvar|høringsinnspill", text, re.I):
        return text
    return phrase("mode_draft_question", lang, topic=topic)


def welcome_html() -> str:
    return f'<div class="welcome">{html.escape(t("ui_welcome"))}</div>'


def panel_html() -> str:
    return (
        f'<div class="source-panel"><div class="source-heading">{html.escape(t("ui_source_title"))}</div>'
        f'<div class="source-body"><p class="muted">{html.escape(t("ui_source_empty"))}</p></div></div>'
    )


def conversation_html(turns: list[dict]) -> str:
    return "".join(turn["html"] for turn in turns) or welcome_html()


def history_of(turns: list[dict]) -> list[dict]:
    history = []
    for turn in turns:
        if turn.get("answer_text"):
            history += [{"role": "user", "content": turn["question"]}, {"role": "assistant", "content": turn["answer_text"]}]
    return history


def export_links_html(names: dict[str, str] | None = None, minutes: int = 15) -> str:
    """Download links to the caller's private export files (ui/api/export.py serves them only to
    the session that made them); never Gradio's file cache, which serves anyone with the URL."""
    if not names:
        return f'<div class="export-links"><p class="muted">{html.escape(t("ui_export_none"))}</p></div>'
    links = "".join(
        f'<a class="export-{fmt}" href="/api/exports/{html.escape(name)}" download>{html.escape(t(label))}</a>'
        for fmt, label, name in (("docx", "ui_export_docx", names.get("docx")), ("md", "ui_export_file", names.get("md"))) if name
    )
    return f'<div class="export-links">{links}<p class="muted">{html.escape(t("ui_export_note", minutes=minutes))}</p></div>'


def build_ui(state) -> gr.Blocks:
    from ui.api.export import store_of

    store_of(state).start_sweeper()
    def role_of(request: gr.Request | None) -> str:
        who = state.auth.from_request(request) if request is not None else None
        if who is None:
            raise gr.Error(t("api_error_unauthorized"))
        return who.role

    def cases_rows(role: str, text: str = "") -> str:
        from ui.api.cases import list_cases

        try:
            rows = list_cases(state, role, text or None)
        except Exception:  # noqa: BLE001 — no index yet: an empty list, readyz says why
            rows = []
        return case_cards_html(rows)

    def write_exports(question: str, answer, request) -> dict[str, str]:
        from ui.api.export import export_bytes, session_tag, store_of

        who = state.auth.from_request(request)
        store = store_of(state)
        return {fmt: store.save(export_bytes(question, answer, fmt), fmt, who, session_tag(getattr(request, "cookies", None))) for fmt in ("docx", "md")}

    def on_load(request: gr.Request):
        role = role_of(request)
        who = state.auth.from_request(request)
        badge = t("ui_role_anonymous") if who.anonymous else t("ui_role", role=role)
        meetings, years, types = [], [], []
        try:
            retriever = state.retriever
            from ingest.models import allowed_access

            levels = allowed_access(role)
            # Distinct values read inside the register, once per index version and role (not
            # every chunk's metadata on each page load).
            visible = retriever.reader.filter_values(levels)
            meetings = sorted({m for m, _, _ in visible if m}, key=lambda m: tuple(int(x) for x in m.split("/")[::-1]))
            years = sorted({str(y) for _, y, _ in visible if y})
            types = sorted({d for _, _, d in visible if d})
        except Exception:  # noqa: BLE001
            pass
        everyone = t("ui_filter_all")
        can_upload = role in ("secretariat", "admin")
        return (
            f'<div class="role-badge">{html.escape(badge)}</div>',
            gr.update(choices=[everyone] + meetings, value=everyone),
            gr.update(choices=[everyone] + years, value=everyone),
            gr.update(choices=[everyone] + types, value=everyone),
            cases_rows(role),
            gr.update(visible=can_upload),
            gr.update(visible=not can_upload),
        )

    def filters_of(meeting, year, doc_type) -> dict:
        everyone = t("ui_filter_all")
        values = {"meeting": meeting, "year": int(year) if year and year != everyone else None, "doc_type": doc_type}
        return {k: v for k, v in values.items() if v and v != everyone}

    def run_turn(shown: str, sent: str, turns: list[dict], filters: dict | None, role: str, mode_label: str | None, request=None):
        """Yields (live turn html, turns, export text, export file) as the answer arrives.

        Only the turn being answered streams, into its own element. The finished conversation is
        not an output of the streaming event at all: Gradio re-renders every output component on
        each streamed piece, so a growing conversation made every piece slower (turn 15 took ten
        times turn 2). show_conversation() adds the finished turn to it once, after the stream.
        """
        from assistant.service import InvalidQuestion

        number = len(turns) + 1
        unchanged = gr.skip()
        yield turn_html(number, shown, None, pending=t("ui_thinking"), mode_label=mode_label), unchanged, unchanged, unchanged
        try:
            assistant = state.assistant
            limit = state.settings.server.max_question_chars
            if len(sent) > limit:
                raise InvalidQuestion(phrase("error_question_too_long", "nb", length=len(sent), limit=limit))
            streamed = ""
            for kind, value in assistant.stream(sent, history=history_of(turns)[-8:], filters=filters, role=role):
                if kind in ("token", "draft"):  # a draft shows live; the checked answer replaces it
                    streamed += value
                    yield turn_html(number, shown, None, pending=streamed, mode_label=mode_label), unchanged, unchanged, unchanged
                else:
                    answer = value
            done = {"html": turn_html(number, shown, answer, retriever=assistant.retriever, role=role, mode_label=mode_label), "question": sent, "answer_text": answer.answer}
            turns = turns + [done]
            markdown = export_markdown(shown, answer)
            minutes = max(1, round(store_ttl_minutes()))
            yield done["html"], turns, markdown, export_links_html(write_exports(shown, answer, request), minutes)
        except (InvalidQuestion, ValueError) as error:
            turns = turns + [{"html": error_turn_html(number, shown, str(error)), "question": sent}]
            yield turns[-1]["html"], turns, gr.update(), gr.update()
        except Exception as error:  # noqa: BLE001 — e.g. no index yet: say so in the conversation
            logging.getLogger("radsarkiv.web").exception("Feil under svar i nettgrensesnittet")
            message = getattr(error, "message", None) or t("api_error_internal")
            turns = turns + [{"html": error_turn_html(number, shown, message), "question": sent}]
            yield turns[-1]["html"], turns, gr.update(), gr.update()

    def start_turn(turns):
        """The welcome text goes when the first turn starts; later turns leave the history be."""
        return "" if not turns else gr.skip()

    def show_conversation(turns):
        """After a turn: the finished turns (once per turn), and the live element emptied."""
        return conversation_html(turns), ""

    def on_submit(question, mode_label, meeting, year, doc_type, turns, request: gr.Request):
        role = role_of(request)
        question = (question or "").strip()
        if not question:
            yield gr.skip(), turns, gr.update(), gr.update(), gr.update()
            return
        mode = next((key for key, label in MODES.items() if t(label) == mode_label), "ask")
        badge = mode_label if mode != "ask" else None
        for live, new_turns, markdown, file in run_turn(question, steer(question, mode), turns, filters_of(meeting, year, doc_type), role, badge, request):
            yield live, new_turns, markdown, file, ""

    def store_ttl_minutes() -> float:
        from ui.api.export import store_of

        return store_of(state).ttl / 60

    def on_new():
        return welcome_html(), "", [], panel_html(), "", export_links_html(), ""

    def on_case(number, turns, request: gr.Request):
        from ingest.case_numbers import normalize_case_number

        role = role_of(request)
        number = normalize_case_number((number or "").strip()) if number else None
        if not number:
            yield gr.update(), gr.skip(), turns, gr.update(), gr.update()
            return
        shown = f"{t('heading_case')} {number}"
        first = True
        for live, new_turns, markdown, file in run_turn(shown, shown, turns, None, role, None, request):
            yield (gr.update(selected="chat") if first else gr.update()), live, new_turns, markdown, file
            first = False

    def on_case_search(text, request: gr.Request):
        return cases_rows(role_of(request), text)

    def on_upload(file_path, access, request: gr.Request):
        from ui.api.documents import store_upload
        from ui.api.errors import ApiError

        role = role_of(request)
        if role not in ("secretariat", "admin"):
            return t("ui_upload_needs_role"), gr.update()
        if not file_path:
            return t("ui_upload_missing_file"), gr.update()
        source = Path(file_path)
        caller = state.auth.from_request(request).caller
        try:
            # The uploader's own role decides collisions: an admin may replace (and re-level) a
            # confidential upload, the secretariat gets 409 for what it cannot read.
            files = store_upload(state, source.name, source.read_bytes(), access, role=role, caller=caller)
        except ApiError as error:
            return t("ui_upload_error", error=error.message), gr.update()
        job = state.jobs.wait(state.jobs.submit(files, files[0].name, caller))
        if job["status"] != "done":
            return "\n".join(t("ui_upload_error", error=e["error"]) for e in job["errors"]), gr.update()
        return t("ui_upload_summary", **{k: job["summary"][k] for k in ("documents", "embedded", "cases", "chunks")}), cases_rows(role)

    with gr.Blocks(title=t("ui_title"), fill_width=True, analytics_enabled=False) as demo:
        turns = gr.State([])
        with gr.Row(elem_classes="app-header"):
            gr.HTML(f'<div class="brand"><h1>{html.escape(t("ui_title"))}</h1><p>{html.escape(t("ui_subtitle"))}</p></div>', js_on_load=None)
            role_badge = gr.HTML("", js_on_load=None, elem_classes="role-slot")
        with gr.Tabs(selected="chat") as tabs:
            with gr.Tab(t("ui_tab_chat"), id="chat"):
                with gr.Row(equal_height=False):
                    with gr.Column(scale=3, min_width=280):
                        # The finished turns, and the turn being answered (streamed on its own).
                        with gr.Column(elem_id="conversation"):
                            conversation = gr.HTML(welcome_html(), elem_id="conversation-history", js_on_load=None)
                            live = gr.HTML("", elem_id="live-turn", js_on_load=None)
                        with gr.Row(elem_classes="ask-row"):
                            question = gr.Textbox(label=t("ui_question_label"), placeholder=t("ui_question_placeholder"), lines=2, max_lines=8, scale=6, elem_id="question", max_length=state.settings.server.max_question_chars)
                            with gr.Column(scale=1, min_width=120, elem_classes="ask-buttons"):
                                send = gr.Button(t("ui_send"), variant="primary", elem_id="send")
                                new = gr.Button(t("ui_new_chat"), variant="secondary", elem_id="new-chat")
                        mode = gr.Radio([t(label) for label in MODES.values()], value=t("ui_mode_ask"), label=t("ui_mode"), elem_id="mode")
                        with gr.Accordion(t("ui_filters"), open=False):
                            with gr.Row():
                                meeting = gr.Dropdown([t("ui_filter_all")], value=t("ui_filter_all"), label=t("ui_filter_meeting"))
                                year = gr.Dropdown([t("ui_filter_all")], value=t("ui_filter_all"), label=t("ui_filter_year"))
                                doc_type = gr.Dropdown([t("ui_filter_all")], value=t("ui_filter_all"), label=t("ui_filter_type"))
                        gr.Examples([[t(key)] for key in EXAMPLES], inputs=[question], label=t("ui_examples"))
                        with gr.Accordion(t("ui_export"), open=False, elem_id="export-box"):
                            export_file = gr.HTML(export_links_html(), elem_id="export-links", js_on_load=None)
                            export_text = gr.Textbox(label="Markdown", lines=8, max_lines=20, buttons=["copy"], interactive=False, elem_id="export")
                    with gr.Column(scale=2, min_width=280):
                        source_panel = gr.HTML(panel_html(), elem_id="source-panel", js_on_load=None)
            with gr.Tab(t("ui_tab_cases"), id="cases"):
                gr.Markdown(t("ui_cases_hint"))
                case_search = gr.Textbox(label=t("ui_cases_search"), elem_id="case-search")
                cases_table = gr.HTML("", elem_id="cases-list", js_on_load=None)
                # The cards' «Åpne saken» buttons (ui/static/radsarkiv.js) write the number here and
                # press the button: kept in the page (not visible=False, which Gradio leaves out).
                with gr.Row(elem_classes="case-pick"):
                    case_pick = gr.Textbox(elem_id="case-pick", show_label=False, container=False)
                    case_go = gr.Button("→", elem_id="case-pick-go", size="sm")
            with gr.Tab(t("ui_tab_upload"), id="upload"):
                upload_denied = gr.Markdown(t("ui_upload_needs_role"), visible=True)
                with gr.Column(visible=False) as upload_box:
                    gr.Markdown(t("ui_upload_intro"))
                    upload_file = gr.File(label=t("ui_upload_file"), file_types=[".pdf", ".docx", ".md", ".txt", ".html", ".htm"], type="filepath")
                    access = gr.Radio(["public", "internal", "confidential"], value="public", label=t("ui_upload_access"))
                    upload_button = gr.Button(t("ui_upload_button"), variant="primary")
                    upload_result = gr.Markdown()

        demo.load(on_load, outputs=[role_badge, meeting, year, doc_type, cases_table, upload_box, upload_denied])
        ask_inputs = [question, mode, meeting, year, doc_type, turns]
        ask_outputs = [live, turns, export_text, export_file, question]
        # The pending turn says the answer is coming: no progress overlay on the outputs.
        for trigger in (send.click, question.submit):
            trigger(start_turn, [turns], [conversation], show_progress="hidden").then(
                on_submit, ask_inputs, ask_outputs, concurrency_limit=4, show_progress="hidden"
            ).then(show_conversation, [turns], [conversation, live], show_progress="hidden")
        new.click(on_new, outputs=[conversation, live, turns, source_panel, export_text, export_file, question])
        case_go.click(on_case, [case_pick, turns], [tabs, live, turns, export_text, export_file], show_progress="hidden").then(
            show_conversation, [turns], [conversation, live], show_progress="hidden"
        )
        case_search.change(on_case_search, [case_search], [cases_table])
        upload_button.click(on_upload, [upload_file, access], [upload_result, cases_table], concurrency_limit=1)
    return demo


__all__ = ["build_ui", "steer"]
