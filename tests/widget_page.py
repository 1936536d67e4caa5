"""The demo page and its chat widget as the browser tests see them: the handler
that serves web/ (plus a page wired to a scripted server), the widget's locators,
what it keeps in localStorage, and a WCAG contrast check of what it draws.
The fixtures that serve the page and start the browser are in conftest.py."""

import re
from http.server import SimpleHTTPRequestHandler

from playwright.sync_api import expect

from bench.server import ROOT

WEB = ROOT / "web"
REPLY_TIMEOUT = 30_000  # ms; a reply from the real assistant comes in well under a second

# A page like index.html, for the scripted-server test: WebSocket only, so that every
# frame goes through Playwright's WebSocket route (no long-polling fallback to port 9).
SCRIPTED_PAGE = b"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Widget with a scripted server</title></head>
<body><h1>Scripted server</h1>
<script>window.ValtrexChat = {serverUrl: "http://127.0.0.1:9", transports: ["websocket"],
  storageKey: "scripted", initialMessage: "/greet"}</script>
<script src="widget/valtrex-chat.js" defer></script>
</body></html>"""


class WebHandler(SimpleHTTPRequestHandler):
    """Serves web/ (plus the scripted-server page), quietly."""

    def do_GET(self):
        if self.path.split("?")[0] == "/scripted.html":
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(SCRIPTED_PAGE)))
            self.end_headers()
            self.wfile.write(SCRIPTED_PAGE)
            return
        super().do_GET()

    def log_message(self, *args):
        pass


class Widget:
    """Locators for the widget (Playwright's CSS and role locators see into its shadow root)."""

    def __init__(self, page):
        self.page = page
        self.launcher = page.get_by_role("button", name=re.compile("Ask about Valtrex"))
        self.panel = page.get_by_role("dialog", name="Valtrex info assistant")
        self.input = page.get_by_role("textbox", name="Your question")
        self.send_button = page.get_by_role("button", name="Send", exact=True)
        self.close_button = page.get_by_role("button", name="Close chat")
        self.log = page.get_by_role("log", name="Conversation")
        self.messages = self.log.locator(".vc-msg")
        self.bot = self.log.locator(".vc-msg--bot")
        self.user = self.log.locator(".vc-msg--user")
        self.urgent = self.log.locator(".vc-msg--urgent")
        self.chips = page.locator("valtrex-chat .vc-chip")
        self.disclaimer = page.locator("valtrex-chat .vc-disclaimer")
        self.status = page.locator("valtrex-chat .vc-status")
        self.typing = page.locator("valtrex-chat .vc-typing")
        self.counter = page.locator("valtrex-chat .vc-counter")
        self.limit_note = page.locator("valtrex-chat .vc-limit")

    def bot_saying(self, text):
        return self.bot.filter(has_text=text)

    def type_and_send(self, text):
        self.input.fill(text)
        self.input.press("Enter")
        expect(self.user.last.locator(".vc-text")).to_have_text(text)

    def ask(self, text, answer):
        """Send `text` and wait for one more bot bubble containing `answer` (str or regex)."""
        answers = self.bot_saying(answer)
        before = answers.count()
        self.type_and_send(text)
        expect(answers).to_have_count(before + 1, timeout=REPLY_TIMEOUT)
        return answers.last


def stored(page, key):
    return page.evaluate("key => localStorage.getItem(key)", key)


def contrast(foreground, background):
    def luminance(rgb):
        def channel(c):
            c /= 255
            return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

        r, g, b = (channel(c) for c in rgb)
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    light, dark = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


# An element's text colour and the first opaque background behind it (through the shadow root).
COLOURS = """el => {
    const rgb = s => s.match(/[\\d.]+/g).slice(0, 4).map(Number);
    let node = el, bg = null;
    while (node) {
        const c = rgb(getComputedStyle(node).backgroundColor);
        if (c.length < 4 || c[3] > 0) { bg = c.slice(0, 3); break; }
        node = node.parentElement || (node.getRootNode() && node.getRootNode().host);
    }
    return {fg: rgb(getComputedStyle(el).color).slice(0, 3), bg: bg || [255, 255, 255]};
}"""
