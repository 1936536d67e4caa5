"""The web chat widget (web/) in Debian's Chromium, against the real trained assistant.

A static server serves web/ on one loopback port, `rasa run` allowing that origin runs
on another, and the demo page is opened with `?server=` pointing at it (conftest.py's
fixtures). One realistic conversation covers the keyboard, quick replies, urgent
styling, a reload, HTML in a message, the length limit and a server restart; a
second test is a phone over long-polling. What the widget does with messages the
assistant never sends is in test_widget_scripted.py. Screenshots go to a temporary
folder, or to $WIDGET_SCREENSHOTS (`make screenshots` sets it to docs/).
"""

import re
import time

import pytest
from browser import SCREENSHOTS
from playwright.sync_api import expect
from widget_page import REPLY_TIMEOUT, Widget, stored

from bench.server import free_port
from conftest import start_server

pytestmark = [pytest.mark.slow, pytest.mark.browser]

DISCLAIMER = "Automated assistant, not a doctor. In an emergency call 911."
XSS = "<img src=x onerror=alert(1)>"


def watch_typing_indicator(page):
    """Record in the page whether the typing indicator was ever shown (it may be brief)."""
    page.evaluate("""() => {
        const typing = document.querySelector('valtrex-chat').shadowRoot.querySelector('.vc-typing');
        window.__typingSeen = false;
        new MutationObserver(() => { if (!typing.hidden) window.__typingSeen = true; })
            .observe(typing, {attributes: true, attributeFilter: ['hidden']});
    }""")


def test_conversation_with_the_real_assistant(chromium, web_origin, rasa):
    started = time.monotonic()
    context = chromium.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    dialogs, page_errors = [], []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.on("pageerror", lambda error: page_errors.append(str(error)))
    sockets = []
    page.on("websocket", lambda ws: sockets.append(ws.url))
    w = Widget(page)

    page.goto(f"{web_origin}/index.html?server={rasa.url}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Valtrex information")
    expect(w.panel).to_be_hidden()
    # (the widget itself then adds its words and its parts from beside it, each marked as
    # its own: data-valtrex-chat-strings, data-valtrex-chat-<part>)
    scripts = page.locator("script[src]").evaluate_all(
        "s => s.map(x => [x.getAttribute('src'),"
        " x.getAttributeNames().some(n => n.startsWith('data-valtrex-chat-'))])"
    )
    page_scripts = [src for src, added_by_widget in scripts if not added_by_widget]
    assert page_scripts == ["widget/valtrex-chat.js"], "the page embeds the widget with one script tag"
    assert all(
        re.fullmatch(re.escape(web_origin) + r"/widget/valtrex-chat-[a-z]+\.js", src)
        for src, added_by_widget in scripts
        if added_by_widget
    ), scripts

    # Keyboard only: Tab reaches the launcher, Enter opens, focus goes to the input.
    for _ in range(20):
        page.keyboard.press("Tab")
        if w.launcher.evaluate("el => el.matches(':focus')"):
            break
    expect(w.launcher).to_be_focused()
    expect(w.launcher).to_have_attribute("aria-expanded", "false")
    page.keyboard.press("Enter")
    expect(w.panel).to_be_visible()
    expect(w.input).to_be_focused()
    expect(w.launcher).to_have_attribute("aria-expanded", "true")

    # The greeting (sent as /greet because there is no stored session), the disclaimer, topics.
    expect(w.disclaimer).to_be_visible()
    expect(w.disclaimer).to_have_text(DISCLAIMER)
    expect(w.bot.first).to_contain_text("Hi! I answer questions about valacyclovir", timeout=REPLY_TIMEOUT)
    expect(w.bot_saying("I'm an automated assistant, not a doctor.")).to_have_count(1)
    expect(w.chips).to_have_text(["What it treats", "Side effects", "Back pain", "When to get help"])
    expect(w.user).to_have_count(0)  # the initial message is not shown
    expect(w.log).to_have_attribute("aria-live", "polite")
    session = stored(page, "valtrex-chat:session")
    assert re.fullmatch(r"[0-9a-f]{32}", session or ""), session

    # Escape closes and gives focus back to the launcher; Enter opens it again as it was.
    page.keyboard.press("Escape")
    expect(w.panel).to_be_hidden()
    expect(w.launcher).to_be_focused()
    expect(w.launcher).to_have_attribute("aria-expanded", "false")
    page.keyboard.press("Enter")
    expect(w.input).to_be_focused()
    expect(w.bot_saying("Hi! I answer")).to_have_count(1)

    # A quick reply sends its payload and shows its title as the user's message.
    watch_typing_indicator(page)
    w.chips.filter(has_text="Back pain").click()
    expect(w.user.last.locator(".vc-text")).to_have_text("Back pain")
    expect(w.bot_saying("Back pain is not a common side effect of valacyclovir.")).to_have_count(
        1, timeout=REPLY_TIMEOUT
    )
    expect(w.chips).to_have_text(["Kidney warning signs", "Shingles and back pain", "What helps back pain"])
    expect(w.input).to_be_focused()
    assert page.evaluate("window.__typingSeen"), "the typing indicator showed while waiting"
    expect(w.typing).to_be_hidden()
    # The answer's source line is set apart; the reply carries no link (only http(s) ones would be).
    expect(w.bot.last.locator(".vc-source")).to_have_text(
        "Source: FDA prescribing information for VALTREX (DailyMed)."
    )

    # Typed on the keyboard: the counter follows; then a side-effects question.
    w.input.press_sequentially("what are the side effects of valtrex")
    expect(w.counter).to_have_text("36/1000")
    w.input.press("Enter")
    expect(w.counter).to_have_text("0/1000")
    expect(w.bot_saying("The most common side effects are headache, nausea and belly pain.")).to_have_count(
        1, timeout=REPLY_TIMEOUT
    )

    # An urgent message: its reply, and only that one, has the emergency style.
    urgent = w.ask("my son swallowed a bunch of my valtrex pills", "Call 911 now")
    expect(urgent).to_have_class(re.compile(r"\bvc-msg--urgent\b"))
    expect(urgent).to_have_attribute("data-category", "overdose")
    expect(urgent.locator(".vc-badge")).to_have_text("Call 911")
    expect(urgent.locator(".vc-badge")).to_have_attribute("href", "tel:911")
    expect(urgent).to_contain_text("Poison Help at 1-800-222-1222")
    expect(w.urgent).to_have_count(1)
    bot_count = w.bot.count()
    assert bot_count >= 6
    expect(w.log.locator(".vc-msg--bot:not(.vc-msg--urgent)")).to_have_count(bot_count - 1)
    # Bot text that mentions 911 without urgent metadata (the disclaimer) stays normal.
    expect(w.bot_saying("In an emergency, call 911").and_(w.urgent)).to_have_count(0)
    assert urgent.evaluate("el => getComputedStyle(el).borderTopColor") == "rgb(179, 38, 30)"
    assert w.bot.first.evaluate("el => getComputedStyle(el).borderTopColor") != "rgb(179, 38, 30)"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "widget-desktop.png"))

    # The length limit: a note and a red counter past 1000 characters; nothing is sent.
    sent_before = w.user.count()
    w.input.fill("x" * 1001)
    expect(w.limit_note).to_be_visible()
    expect(w.limit_note).to_contain_text("at most 1000 characters")
    expect(w.counter).to_have_text("1001/1000")
    expect(w.input).to_have_attribute("aria-invalid", "true")
    expect(w.send_button).to_be_disabled()
    w.input.press("Enter")
    expect(w.user).to_have_count(sent_before)
    expect(w.input).to_have_value("x" * 1001)  # kept, so it can be shortened
    w.input.fill("x" * 1000)
    expect(w.limit_note).to_be_hidden()
    expect(w.send_button).to_be_enabled()
    w.input.fill("")

    # A reload keeps the conversation (same session, no second greeting, urgent still marked).
    shown = w.messages.count()
    page.reload()
    expect(w.panel).to_be_visible()  # it was open, so it opens again
    expect(w.messages).to_have_count(shown)
    expect(w.urgent).to_have_count(1)
    expect(w.urgent).to_contain_text("Call 911 now")
    expect(w.disclaimer).to_have_text(DISCLAIMER)
    assert stored(page, "valtrex-chat:session") == session

    # HTML typed by the user is shown literally and never parsed.
    w.input.click()
    reply = w.ask(XSS, re.compile(r"Sorry, I (can only help|didn't understand)"))  # either is fine
    assert w.user.last.locator(".vc-text").text_content() == XSS
    assert page.locator("img").count() == 0  # in the page or the widget's shadow root
    expect(w.bot_saying("Hi! I answer")).to_have_count(1)  # the reload did not greet again
    assert w.user.last.evaluate("el => el.querySelectorAll('*').length") == 2  # label, text
    expect(reply).not_to_have_class(re.compile("vc-msg--urgent"))
    assert dialogs == []

    # The server stops: a visible notice; a message typed meanwhile waits for it.
    rasa.stop()
    expect(w.status).to_be_visible(timeout=REPLY_TIMEOUT)
    expect(w.status).to_contain_text("Reconnecting")
    expect(w.status).to_have_attribute("role", "status")
    w.type_and_send("thank you")
    expect(w.user.last).to_contain_text("Waiting to send")

    # It comes back on the same port: the notice goes, the waiting message and a new one get replies.
    start_server(rasa)
    expect(w.status).to_be_hidden(timeout=60_000)
    expect(w.bot_saying("You're welcome.")).to_have_count(1, timeout=REPLY_TIMEOUT)
    expect(w.log.locator(".vc-msg--pending")).to_have_count(0)
    w.ask("does valtrex cause back pain?", "Back pain is not a common side effect of valacyclovir.")
    assert stored(page, "valtrex-chat:session") == session

    assert dialogs == [] and page_errors == []
    # WebSocket transport: one connection per page load, plus the one after the restart.
    assert len(sockets) >= 3
    assert all(url.startswith(f"ws://127.0.0.1:{rasa.port}/socket.io/") for url in sockets)
    context.close()
    print(
        f"\nwidget conversation against the real assistant: {time.monotonic() - started:.1f} s "
        f"(including a server restart)"
    )


def test_phone_layout_over_long_polling(chromium, web_origin, rasa):
    """A 375 px phone on a network without WebSockets: full-width panel, HTTP long-polling (CORS)."""
    context = chromium.new_context(viewport={"width": 375, "height": 740}, is_mobile=True, has_touch=True)
    # Every WebSocket fails to connect, as behind a proxy that blocks them.
    closed = f"ws://127.0.0.1:{free_port()}/"
    context.add_init_script(
        "window.WebSocket = class extends WebSocket {"
        f" constructor(url, protocols) {{ super('{closed}', protocols); }} }}"
    )
    page = context.new_page()
    polls = []
    page.on(
        "request", lambda request: polls.append(request.url) if "transport=polling" in request.url else None
    )
    w = Widget(page)
    page.goto(f"{web_origin}/index.html?server={rasa.url}")
    w.launcher.tap()
    expect(w.panel).to_be_visible()
    assert w.panel.bounding_box() == {"x": 0, "y": 0, "width": 375, "height": 740}
    expect(w.launcher).to_be_hidden()  # under the full-screen panel
    expect(w.disclaimer).to_be_in_viewport()
    expect(w.bot_saying("Hi! I answer")).to_have_count(1, timeout=REPLY_TIMEOUT)
    assert polls and all(url.startswith(rasa.url) for url in polls)
    w.chips.filter(has_text="When to get help").tap()
    expect(w.bot_saying("Call your doctor or pharmacist")).to_have_count(1, timeout=REPLY_TIMEOUT)
    w.ask("I can't feel my legs and I can't control my bladder", "Call 911 now")
    expect(w.urgent).to_have_count(1)
    expect(w.input).to_be_in_viewport()
    expect(w.send_button).to_be_in_viewport()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375  # nothing sticks out
    page.screenshot(path=str(SCREENSHOTS / "widget-phone.png"))
    w.close_button.tap()
    expect(w.panel).to_be_hidden()
    expect(w.launcher).to_be_visible()
    context.close()
