"""The web chat widget in Debian's Chromium, fed hostile bot messages by a scripted
socket.io server (Playwright's WebSocket routing), to check what it does with links,
HTML, urgent metadata and quick-reply payloads that the curated assistant never
sends; also the socket protocol, the contrast of what it draws, and "New chat".
The page and the browser are conftest.py's fixtures; no assistant runs.
"""

import json
import re

import pytest
from playwright.sync_api import expect
from widget_page import COLOURS, REPLY_TIMEOUT, Widget, contrast, stored

pytestmark = [pytest.mark.slow, pytest.mark.browser]

SCRIPTED_REPLIES = {
    "/greet": [
        {
            "text": "See https://dailymed.nlm.nih.gov/dailymed/. Not javascript:alert(1) or "
            "data:text/html,hi or <b>bold</b> <img src=x onerror=alert(2)>"
        },
        {"text": "Call 911 now! (this text sounds urgent, but its metadata says nothing)"},
        {
            "text": "Plain words, marked urgent by metadata.",
            "metadata": {"urgent": True, "category": "overdose"},
        },
        {"text": "Urgent as a string is not urgent.", "metadata": {"urgent": "true"}},
        {
            "text": "Pick one:",
            "quick_replies": [
                {
                    "content_type": "text",
                    "title": "<i>Side effects</i>",
                    "payload": "/ask_side_effects/common",
                },
                {"title": "", "payload": "/no_title"},
            ],
        },
    ],
    "/ask_side_effects/common": [{"text": "Scripted side effects answer."}],
}


def scripted_server(received):
    """A socket.io (Engine.IO 4) server in a WebSocket route: answers from SCRIPTED_REPLIES."""

    def handle(ws):
        def on_message(frame):
            received.append(frame)
            if frame == "40" or frame.startswith("40{"):
                ws.send('40{"sid":"scripted-socket"}')
            elif frame.startswith("42"):
                event, *args = json.loads(frame[2:])
                if event == "session_request":
                    ws.send("42" + json.dumps(["session_confirm", "scripted-session"]))
                elif event == "user_uttered":
                    for reply in SCRIPTED_REPLIES.get(args[0]["message"], [{"text": "?"}]):
                        ws.send("42" + json.dumps(["bot_uttered", reply]))

        ws.on_message(on_message)
        ws.send(
            '0{"sid":"scripted-engine","upgrades":[],"pingInterval":25000,'
            '"pingTimeout":20000,"maxPayload":1000000}'
        )

    return handle


def test_scripted_server_content_is_rendered_safely(chromium, web_origin):
    context = chromium.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    received = []
    page.route_web_socket(re.compile(r"/socket\.io/"), scripted_server(received))
    w = Widget(page)
    page.goto(f"{web_origin}/scripted.html")
    w.launcher.click()
    expect(w.bot).to_have_count(5, timeout=REPLY_TIMEOUT)

    # The protocol: session_request with no stored id, then the initial message with the confirmed id.
    events = [json.loads(frame[2:]) for frame in received if frame.startswith("42")]
    assert events[0] == ["session_request", {"session_id": None}]
    assert events[1] == [
        "user_uttered",
        {"message": "/greet", "session_id": "scripted-session", "metadata": {"language": "en"}},
    ]
    assert stored(page, "scripted:session") == "scripted-session"

    # Only the http(s) URL is a link (its full stop left out); the rest is literal text.
    first = w.bot.nth(0)
    links = first.locator("a")
    expect(links).to_have_count(1)
    expect(links).to_have_attribute("href", "https://dailymed.nlm.nih.gov/dailymed/")
    expect(links).to_have_attribute("target", "_blank")
    expect(links).to_have_attribute("rel", "noopener noreferrer")
    expect(first.locator(".vc-text")).to_contain_text(
        "javascript:alert(1) or data:text/html,hi or <b>bold</b> <img src=x onerror=alert(2)>"
    )
    assert first.locator("b, img").count() == 0 and page.locator("img").count() == 0

    # Urgent styling comes from metadata.urgent === true only.
    expect(w.urgent).to_have_count(1)
    expect(w.urgent).to_have_text(re.compile("Plain words, marked urgent by metadata."))
    expect(w.urgent.locator(".vc-badge")).to_have_text("Call 911")
    expect(w.bot.nth(1)).not_to_have_class(re.compile("vc-msg--urgent"))
    expect(w.bot.nth(3)).not_to_have_class(re.compile("vc-msg--urgent"))

    # A quick-reply title is text; clicking it shows the title and sends the payload.
    expect(w.chips).to_have_text(["<i>Side effects</i>"])  # the one without a title is dropped
    w.chips.first.click()
    expect(w.user.last.locator(".vc-text")).to_have_text("<i>Side effects</i>")
    expect(w.bot_saying("Scripted side effects answer.")).to_have_count(1, timeout=REPLY_TIMEOUT)
    events = [json.loads(frame[2:]) for frame in received if frame.startswith("42")]
    assert events[-1] == [
        "user_uttered",
        {
            "message": "/ask_side_effects/common",
            "session_id": "scripted-session",
            "metadata": {"language": "en"},
        },
    ]
    assert page.locator("i").count() == 0
    expect(w.chips).to_have_count(0)

    # WCAG AA contrast for the text the widget draws (4.5:1), offline notice included.
    page.evaluate(
        "document.querySelector('valtrex-chat').shadowRoot"
        ".querySelector('.vc-status').textContent = 'Reconnecting'"
    )
    w.input.fill("x" * 1001)
    checked = {
        "launcher": w.launcher,
        "title": page.locator("valtrex-chat .vc-title"),
        "new chat": page.get_by_role("button", name="New chat"),
        "disclaimer": w.disclaimer,
        "status": w.status,
        "bot text": w.bot.first.locator(".vc-text"),
        "link": links,
        "user text": w.user.last,
        "urgent text": w.urgent.locator(".vc-text"),
        "badge": w.urgent.locator(".vc-badge"),
        "counter": w.counter,
        "limit note": w.limit_note,
        "send (disabled)": w.send_button,
    }
    for name, locator in checked.items():
        colours = locator.evaluate(COLOURS)
        ratio = contrast(colours["fg"], colours["bg"])
        assert ratio >= 4.5, f"{name}: {colours} has contrast {ratio:.2f}"

    # "New chat" forgets this conversation and starts a new session.
    w.input.fill("")
    page.get_by_role("button", name="New chat").click()
    expect(w.bot).to_have_count(5, timeout=REPLY_TIMEOUT)
    expect(w.user).to_have_count(0)
    events = [json.loads(frame[2:]) for frame in received if frame.startswith("42")]
    assert ["session_request", {"session_id": None}] in events[2:]
    assert dialogs == []
    context.close()
