"""Bad input gets a polite answer, never a crash or silence."""

import pytest

FALLBACK = "Sorry, I didn't understand that."
OUT_OF_SCOPE = "Sorry, I can only help with valacyclovir (Valtrex) and lower back pain."
# Spanish is understood (issue 15): an off-topic Spanish question hears so in Spanish.
FALLBACK_ES = "Lo siento, no le entendí."
OUT_OF_SCOPE_ES = "Lo siento, solo puedo ayudar con el valaciclovir (Valtrex)"

BAD_INPUTS = {
    "empty": "",
    "only spaces": "   \t ",
    "only emoji": "😀😀🙏",
    "5,000 characters": "lorem ipsum dolor " * 278,
    "binary bytes": "\x00\x01\xff\xfe garbage \x7f",
    "off-topic Spanish": "¿Cuál es el horario de la farmacia el domingo?",
}


@pytest.mark.parametrize("name", BAD_INPUTS)
def test_bad_input_gets_a_polite_answer(assistant, name):
    replies = assistant.reply(BAD_INPUTS[name], sender=f"bad-input-{name}")
    texts = [reply.get("text", "") for reply in replies]
    print(name, texts)
    assert any(text.startswith((FALLBACK, OUT_OF_SCOPE, FALLBACK_ES, OUT_OF_SCOPE_ES)) for text in texts)
    # The topic buttons follow, so the person has a way forward.
    assert any(reply.get("buttons") for reply in replies)
