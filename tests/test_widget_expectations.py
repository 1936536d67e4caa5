"""What people expect from the widget (issue 16), in Debian's Chromium against the
real trained assistant: "Was this helpful?" under each answer, a printable
transcript (printed to PDF by the browser and read back), and "Delete my data",
which deletes the conversation from the database and from the browser.

The page, the assistant and the browser are conftest.py's fixtures. The
screenshot of the vote goes to $WIDGET_SCREENSHOTS (`make screenshots`: docs/).
"""

import io
import json
import sqlite3
import time

import pypdf
from browser import SCREENSHOTS
from playwright.sync_api import expect
from widget_page import COLOURS, REPLY_TIMEOUT, Widget, contrast, stored

BACK_PAIN = "Back pain is not a common side effect of valacyclovir."
SORRY = "Sorry that didn't help. You can ask another way, or pick a topic."
DONE = "Done. I deleted this chat from our records."


def rows(db, sender):
    with sqlite3.connect(db) as connection:
        return [
            json.loads(data)
            for (data,) in connection.execute(
                "SELECT data FROM events WHERE sender_id = ? ORDER BY id", (sender,)
            )
        ]


def votes(db, sender):
    return [
        row["metadata"]["metadata"]["feedback"]
        for row in rows(db, sender)
        if row["event"] == "bot" and "feedback" in (row["metadata"].get("metadata") or {})
    ]


def wait_for(check, timeout=10.0):
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


def test_vote_transcript_and_forget_me(chromium, web_origin, rasa):
    context = chromium.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page_errors = []
    page.on("pageerror", lambda error: page_errors.append(str(error)))
    w = Widget(page)
    page.goto(f"{web_origin}/index.html?server={rasa.url}")
    w.launcher.click()
    expect(w.bot_saying("Hi! I answer")).to_have_count(1, timeout=REPLY_TIMEOUT)
    session = stored(page, "valtrex-chat:session")
    votes_shown = w.log.locator(".vc-feedback")
    expect(votes_shown).to_have_count(0)  # the greeting, disclaimer and topics are not answers

    # --- "Was this helpful?" under an answer, by keyboard; the vote names the answer.
    answer = w.ask("does valtrex cause back pain?", BACK_PAIN)
    group = answer.get_by_role("group", name="Was this answer helpful?")
    expect(group).to_contain_text("Was this helpful?")
    yes = group.get_by_role("button", name="Yes, this answer helped")
    no = group.get_by_role("button", name="No, this answer did not help")
    expect(yes).to_have_attribute("aria-pressed", "false")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "widget-feedback.png"))
    users_before = w.user.count()
    no.focus()
    page.keyboard.press("Enter")
    expect(w.bot_saying(SORRY)).to_have_count(1, timeout=REPLY_TIMEOUT)
    expect(w.user).to_have_count(users_before)  # a vote shows on its answer, not as a message
    expect(no).to_have_attribute("aria-pressed", "true")
    expect(yes).to_be_disabled()
    expect(no).to_be_disabled()  # one vote per answer
    expect(group).to_contain_text("Thanks for your feedback.")
    for name, locator in {
        "pressed": no,
        "disabled": yes,
        "thanks": group.locator(".vc-feedback-question"),
    }.items():
        colours = locator.evaluate(COLOURS)
        assert contrast(colours["fg"], colours["bg"]) >= 4.5, (name, colours)  # WCAG AA
    expect(w.chips).to_have_text(
        ["Ask another way", "What it treats", "Side effects", "Back pain", "When to get help"]
    )
    assert votes(rasa.tracker_db, session) == [
        {"vote": "down", "answer": "utter_ask_back_pain/is_side_effect"}
    ]
    vote_rows = [
        row
        for row in rows(rasa.tracker_db, session)
        if row["event"] == "user" and row["parse_data"]["intent"]["name"] == "not_helpful"
    ]
    assert [row["text"] for row in vote_rows] == [
        '/not_helpful{"answer":"utter_ask_back_pain/is_side_effect"}'
    ]  # no message text

    w.chips.filter(has_text="Ask another way").click()
    expect(w.bot_saying("Type your question another way")).to_have_count(1, timeout=REPLY_TIMEOUT)
    kidney = w.ask("can valtrex cause kidney problems", "can rarely harm the kidneys")
    kidney.get_by_role("button", name="Yes, this answer helped").click()
    expect(w.bot_saying("Thanks for telling us.")).to_have_count(1, timeout=REPLY_TIMEOUT)
    urgent = w.ask("i can't breathe and my throat is swelling", "Call 911 now")
    expect(urgent.locator(".vc-feedback")).to_have_count(0)  # an emergency reply stands alone
    assert votes(rasa.tracker_db, session)[1] == {"vote": "up", "answer": "utter_ask_side_effects/kidney"}

    # A reload keeps the votes, still one per answer.
    page.reload()
    expect(w.panel).to_be_visible()
    expect(votes_shown).to_have_count(2)
    expect(votes_shown.first.get_by_role("button", name="No, this answer did not help")).to_have_attribute(
        "aria-pressed", "true"
    )
    expect(votes_shown.locator("button:enabled")).to_have_count(0)

    # --- The "More" menu: Escape closes it first, then the chat.
    more = page.get_by_role("button", name="More", exact=True)
    more.click()
    expect(more).to_have_attribute("aria-expanded", "true")
    print_item = page.get_by_role("button", name="Print or save as PDF")
    expect(print_item).to_be_focused()
    page.keyboard.press("Escape")
    expect(print_item).to_be_hidden()
    expect(more).to_be_focused()
    expect(w.panel).to_be_visible()

    # --- A printable transcript, built in the browser, printed to PDF by Chromium.
    more.click()
    with context.expect_page() as opened:
        print_item.click()
    transcript = opened.value
    requests = []
    transcript.on("request", lambda request: requests.append(request.url))
    expect(transcript.get_by_role("heading", level=1)).to_have_text("Valtrex info assistant: conversation")
    expect(transcript.locator("body")).to_contain_text(
        "Automated assistant, not a doctor. In an emergency call 911."
    )
    expect(transcript.get_by_role("button", name="Print / Save as PDF")).to_be_visible()
    pdf = transcript.pdf(format="Letter")
    text = " ".join("".join(page_.extract_text() for page_ in pypdf.PdfReader(io.BytesIO(pdf)).pages).split())
    today = time.strftime("%B %-d, %Y")
    for expected in (
        "Valtrex info assistant: conversation",
        f"Printed on {today}.",
        "Automated assistant, not a doctor. In an emergency call 911.",
        "You asked does valtrex cause back pain?",
        BACK_PAIN,
        "Source: FDA prescribing information for VALTREX (DailyMed).",
        "Assistant (urgent) Call 911 now",
        "Help lines",
        "Poison Help 1-800-222-1222",
        "Call or text 988",
        "Consult your healthcare provider or your pharmacist.",
    ):
        assert expected.lower() in text.lower(), expected  # the labels print in capitals
    assert "print / save as pdf" not in text.lower()  # the button is not printed
    assert "Was this helpful" not in text
    assert requests == []  # nothing left the browser
    transcript.close()

    # --- "Delete my data": confirmation, then nothing of it in the database or the browser.
    neighbour = f"{rasa.url}/webhooks/rest/webhook"
    import requests as http

    http.post(neighbour, json={"sender": "neighbour", "message": "what is valtrex"}, timeout=30)
    neighbour_rows = len(rows(rasa.tracker_db, "neighbour"))
    assert rows(rasa.tracker_db, session)
    more.click()
    page.get_by_role("button", name="Delete my data").click()
    expect(w.user.last.locator(".vc-text")).to_have_text("Delete my data")
    expect(w.bot_saying("Do you want me to delete this whole chat")).to_have_count(1, timeout=REPLY_TIMEOUT)
    expect(w.chips).to_have_text(["Yes, delete it", "No, keep it"])
    w.chips.filter(has_text="Yes, delete it").click()
    expect(w.bot_saying(DONE)).to_have_count(1, timeout=REPLY_TIMEOUT)
    expect(w.messages).to_have_count(1)  # the browser kept only the confirmation
    wait_for(lambda: stored(page, "valtrex-chat:session") not in (None, session))
    assert json.loads(stored(page, "valtrex-chat:history")) == [
        {"from": "bot", "text": DONE, "language": "en"}
    ]
    wait_for(lambda: rows(rasa.tracker_db, session) == [])
    assert len(rows(rasa.tracker_db, "neighbour")) == neighbour_rows  # others untouched
    page.reload()
    expect(w.messages).to_have_count(1)

    # The next question starts a new conversation (the disclaimer again), under a new id.
    w.ask("what is valtrex", "Valacyclovir is an antiviral medicine")
    expect(w.bot_saying("I'm an automated assistant, not a doctor.")).to_have_count(1)
    assert rows(rasa.tracker_db, stored(page, "valtrex-chat:session"))
    assert rows(rasa.tracker_db, session) == []
    assert page_errors == []
    log = rasa.log.read_text()
    assert "does valtrex cause back pain" not in log and "Back pain is not a common" not in log
    context.close()


def test_typed_forget_me_and_phone_layout(chromium, web_origin, rasa):
    """On a phone: the header and its menu fit; "forget me" typed works too."""
    context = chromium.new_context(viewport={"width": 375, "height": 740}, is_mobile=True, has_touch=True)
    page = context.new_page()
    w = Widget(page)
    page.goto(f"{web_origin}/index.html?server={rasa.url}")
    w.launcher.tap()
    expect(w.bot_saying("Hi! I answer")).to_have_count(1, timeout=REPLY_TIMEOUT)
    more = page.get_by_role("button", name="More", exact=True)
    for button in (page.get_by_role("button", name="New chat"), more, w.close_button):
        expect(button).to_be_in_viewport()
    more.tap()
    expect(page.get_by_role("button", name="Delete my data")).to_be_in_viewport()
    more.tap()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    session = stored(page, "valtrex-chat:session")
    w.ask("forget me", "Do you want me to delete this whole chat")
    w.chips.filter(has_text="Yes, delete it").tap()
    expect(w.bot_saying(DONE)).to_have_count(1, timeout=REPLY_TIMEOUT)
    wait_for(lambda: rows(rasa.tracker_db, session) == [])
    expect(w.messages).to_have_count(1)
    context.close()
