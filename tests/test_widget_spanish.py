"""The widget in Spanish (issue 15), in Debian's Chromium against the real trained
assistant: the English / Español switch by keyboard, every fixed word and `lang`
following it, a Spanish question answered in Spanish, an English message turning
the widget back to English, Spanish typed without the switch turning it Spanish,
and the printable transcript in Spanish.

The page, the assistant and the browser are conftest.py's fixtures. The
screenshot of the Spanish conversation goes to $WIDGET_SCREENSHOTS (`make
screenshots`: docs/widget-spanish.png).
"""

import json
import re

from browser import SCREENSHOTS
from playwright.sync_api import expect
from test_widget_expectations import rows
from widget_page import COLOURS, REPLY_TIMEOUT, Widget, contrast, stored

SWITCHED = "Muy bien, le respondo en español."
BACK_PAIN_ES = "El dolor de espalda no es un efecto secundario común del valaciclovir."
SIDE_EFFECTS_EN = "The most common side effects are headache, nausea and belly pain."
TOPICS_ES = ["Para qué sirve", "Efectos secundarios", "Dolor de espalda", "Cuándo buscar ayuda"]


class BilingualWidget(Widget):
    """Widget's locators, found by class where their accessible name changes with the language."""

    def __init__(self, page):
        super().__init__(page)
        self.input = page.locator("valtrex-chat .vc-input")
        self.log = page.locator("valtrex-chat .vc-log")
        self.messages = self.log.locator(".vc-msg")
        self.bot = self.log.locator(".vc-msg--bot")
        self.user = self.log.locator(".vc-msg--user")


def words(page, language):
    """The widget's table for one language, as the page loaded it."""
    return page.evaluate("code => window.ValtrexChatStrings[code]", language)


def expect_widget_in(page, language):
    """Every fixed word of the widget, and `lang`, in `language`."""
    s = words(page, language)
    panel = page.locator("valtrex-chat .vc-panel")
    expect(panel).to_have_attribute("lang", language)
    expect(page.locator("valtrex-chat .vc-launcher")).to_have_attribute("lang", language)
    expect(page.get_by_role("dialog", name=s["title"])).to_be_visible()
    expect(page.locator("valtrex-chat .vc-launcher-text")).to_have_text(s["launcher"])
    expect(page.get_by_role("textbox", name=s["inputLabel"])).to_have_attribute(
        "placeholder", s["placeholder"]
    )
    expect(page.get_by_role("button", name=s["send"], exact=True)).to_be_visible()
    expect(page.get_by_role("button", name=s["newChat"], exact=True)).to_be_visible()
    expect(page.get_by_role("button", name=s["more"], exact=True)).to_be_visible()
    expect(page.get_by_role("button", name=s["close"], exact=True)).to_be_visible()
    expect(page.get_by_role("log", name=s["conversation"])).to_be_visible()
    disclaimer = s["disclaimerLead"] + " " + s["disclaimerRest"].replace("{number}", "911")
    expect(page.locator("valtrex-chat .vc-disclaimer")).to_have_text(disclaimer)
    switch = page.get_by_role("group", name=s["languages"])
    for code, name in (("en", "English"), ("es", "Español")):
        expect(switch.get_by_role("button", name=name)).to_have_attribute(
            "aria-pressed", "true" if code == language else "false"
        )


def test_spanish_switch_questions_and_back(chromium, web_origin, rasa):
    context = chromium.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page_errors = []
    page.on("pageerror", lambda error: page_errors.append(str(error)))
    w = BilingualWidget(page)
    page.goto(f"{web_origin}/index.html?server={rasa.url}")
    w.launcher.click()
    expect(w.bot_saying("Hi! I answer")).to_have_count(1, timeout=REPLY_TIMEOUT)
    expect_widget_in(page, "en")
    session = stored(page, "valtrex-chat:session")

    # The switch by keyboard: Shift+Tab back from the input reaches "Español"; Enter presses it.
    espanol = page.get_by_role("button", name="Español")
    expect(espanol).to_have_attribute("lang", "es")  # its name is read in Spanish
    for _ in range(6):
        page.keyboard.press("Shift+Tab")
        if espanol.evaluate("el => el.matches(':focus')"):
            break
    expect(espanol).to_be_focused()
    page.keyboard.press("Enter")
    expect_widget_in(page, "es")  # at once, before the assistant answers
    expect(espanol).to_be_focused()
    expect(w.bot_saying(SWITCHED)).to_have_count(1, timeout=REPLY_TIMEOUT)
    expect(w.chips).to_have_text(TOPICS_ES)
    expect(w.user).to_have_count(0)  # the switch is not shown as a message
    assert stored(page, "valtrex-chat:language") == "es"
    switch_rows = [
        row
        for row in rows(rasa.tracker_db, session)
        if row["event"] == "user" and row["text"].startswith("/switch_language")
    ]
    assert [(row["text"], row["metadata"]["language"]) for row in switch_rows] == [
        ('/switch_language{"language":"es"}', "es")
    ]

    # A Spanish question gets the Spanish answer, its source line and a vote in Spanish.
    w.input.click()
    answer = w.ask("¿el valtrex da dolor de espalda?", BACK_PAIN_ES)
    expect(answer.locator(".vc-source")).to_have_text(
        "Fuente: Información de prescripción de la FDA para VALTREX (DailyMed)."
    )
    expect(answer.locator(".vc-text")).to_have_attribute("lang", "es")
    group = answer.get_by_role("group", name="¿Le sirvió esta respuesta?")
    expect(group).to_contain_text("¿Le sirvió?")
    expect(group.get_by_role("button", name="Sí, esta respuesta me sirvió")).to_have_text("Sí")
    expect(w.chips).to_have_text(["Señales de los riñones", "Culebrilla y espalda", "Qué ayuda a la espalda"])
    for name, locator in {
        "switch (pressed)": espanol,
        "switch": page.get_by_role("button", name="English"),
        "disclaimer": w.disclaimer,
    }.items():
        colours = locator.evaluate(COLOURS)
        assert contrast(colours["fg"], colours["bg"]) >= 4.5, (name, colours)  # WCAG AA
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    w.user.last.evaluate(  # the question at the top of the conversation, its answer under it
        "el => { const s = el.closest('.vc-scroll');"
        " s.scrollTop += el.getBoundingClientRect().top - s.getBoundingClientRect().top - 8; }"
    )
    page.screenshot(path=str(SCREENSHOTS / "widget-spanish.png"))

    # A reload keeps the language with the session: no second greeting, still Spanish.
    page.reload()
    expect(w.bot_saying(BACK_PAIN_ES)).to_have_count(1)
    expect_widget_in(page, "es")
    assert stored(page, "valtrex-chat:session") == session

    # The printable transcript is in Spanish too.
    page.get_by_role("button", name="Más", exact=True).click()
    with context.expect_page() as opened:
        page.get_by_role("button", name="Imprimir o guardar como PDF").click()
    transcript = opened.value
    expect(transcript.get_by_role("heading", level=1)).to_have_text("Asistente sobre Valtrex: conversación")
    expect(transcript.locator("html")).to_have_attribute("lang", "es")
    expect(transcript.locator("body")).to_contain_text("Usted preguntó")
    expect(transcript.locator("body")).to_contain_text("Llame al 988 y oprima 2, o envíe AYUDA al 988")
    expect(transcript.locator("body")).to_contain_text("Consulte a su proveedor de atención médica")
    expect(transcript.get_by_role("button", name="Imprimir / Guardar como PDF")).to_be_visible()
    transcript.close()

    # An English question: the answer in English, and the widget follows it back.
    w.input.click()
    w.ask("what are the side effects of valtrex", SIDE_EFFECTS_EN)
    expect_widget_in(page, "en")
    assert stored(page, "valtrex-chat:language") == "en"
    expect(w.bot_saying(BACK_PAIN_ES).locator(".vc-text")).to_have_attribute("lang", "es")  # as written

    # Spanish typed without the switch: an emergency, answered in Spanish, 911 first, urgent style.
    urgent = w.ask("no puedo respirar y se me esta hinchando la garganta", "Llame al 911 ahora")
    expect(urgent).to_have_class(re.compile(r"\bvc-msg--urgent\b"))
    expect(urgent.locator(".vc-badge")).to_have_text("Llame al 911")
    expect(urgent.locator(".vc-feedback")).to_have_count(0)
    expect_widget_in(page, "es")
    # Every message said which language the widget was in when it was sent.
    sent = [
        (row["text"], row["metadata"].get("language"))
        for row in rows(rasa.tracker_db, session)
        if row["event"] == "user"
    ]
    assert ("¿el valtrex da dolor de espalda?", "es") in sent
    assert all(language in ("en", "es") for _, language in sent), sent
    assert page_errors == []
    context.close()


def test_a_new_conversation_starts_in_the_remembered_language(chromium, web_origin, rasa):
    """Spanish kept from an earlier visit: the greeting asks for Spanish (/greet{"language": "es"})."""
    context = chromium.new_context(viewport={"width": 375, "height": 740}, is_mobile=True, has_touch=True)
    context.add_init_script("localStorage.setItem('valtrex-chat:language', 'es')")
    page = context.new_page()
    w = BilingualWidget(page)
    page.goto(f"{web_origin}/index.html?server={rasa.url}")
    page.get_by_role("button", name=re.compile("Pregunte sobre Valtrex")).tap()
    expect(w.bot.first).to_contain_text("¡Hola! Respondo preguntas", timeout=REPLY_TIMEOUT)
    expect(w.bot_saying("Soy un asistente automático, no un médico.")).to_have_count(1)
    expect(w.chips).to_have_text(TOPICS_ES)
    expect_widget_in(page, "es")
    greeting = [
        row for row in rows(rasa.tracker_db, stored(page, "valtrex-chat:session")) if row["event"] == "user"
    ]
    assert [json.loads(row["text"][len("/greet") :]) for row in greeting] == [{"language": "es"}]
    # On a phone the header, the switch and the disclaimer fit; nothing sticks out.
    for button in ("Nuevo chat", "Más", "English", "Español"):
        expect(page.get_by_role("button", name=button, exact=True)).to_be_in_viewport()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.get_by_role("button", name="English", exact=True).tap()
    expect(w.bot_saying("OK, I'll answer in English.")).to_have_count(1, timeout=REPLY_TIMEOUT)
    expect_widget_in(page, "en")
    context.close()
