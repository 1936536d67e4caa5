/*!
 * Valtrex chat widget, part "messages": the conversation on screen (bubbles,
 * links, source lines, quick replies), the typing indicator and the notice line.
 *
 * The safety rules of valtrex-chat.js are kept here, where messages are drawn:
 *  - every message is inserted with textContent / text nodes, never as HTML;
 *  - only http(s) URLs in bot text become links;
 *  - a bubble is styled as urgent only when its message says `urgent: true`
 *    (set by the "connection" part from the reply's metadata, never its text).
 * valtrex-chat.js loads this file beside it.
 */
(function () {
  "use strict";

  var parts = (window.ValtrexChatParts = window.ValtrexChatParts || {});

  parts.messages = function (chat) {
    var TYPING_TIMEOUT_MS = 30000;
    var SOURCE_LINE = /^(Source|Fuente):/; // an answer's last line, in English or Spanish
    // Only http(s) URLs become links; everything else stays plain text.
    var URL_PATTERN = /\bhttps?:\/\/[^\s<>"'`]+/gi;
    var el = chat.el;
    var t = chat.t;
    var ui = chat.ui;
    var typingTimer = null;
    chat.statusKey = ""; // the notice shown, so it can change language with the rest

    function safeLink(raw) {
      var url;
      try {
        url = new URL(raw);
      } catch (error) {
        return null;
      }
      if (url.protocol !== "http:" && url.protocol !== "https:") return null;
      var link = el("a", { href: url.href, target: "_blank", rel: "noopener noreferrer" }, raw);
      link.appendChild(el("span", { class: "vc-sr" }, t("newTab")));
      return link;
    }

    function appendLinkified(parent, text) {
      var last = 0;
      var match;
      URL_PATTERN.lastIndex = 0;
      while ((match = URL_PATTERN.exec(text)) !== null) {
        var raw = match[0].replace(/[.,;:!?)\]}]+$/, "");
        var link = raw ? safeLink(raw) : null;
        if (!link) continue;
        if (match.index > last) parent.appendChild(document.createTextNode(text.slice(last, match.index)));
        parent.appendChild(link);
        last = match.index + raw.length;
        URL_PATTERN.lastIndex = last;
      }
      if (last < text.length) parent.appendChild(document.createTextNode(text.slice(last)));
    }

    function renderBotText(parent, text) {
      text.split("\n").forEach(function (line, index) {
        if (index > 0) parent.appendChild(document.createTextNode("\n"));
        if (SOURCE_LINE.test(line)) {
          var source = el("span", { class: "vc-source" });
          appendLinkified(source, line);
          parent.appendChild(source);
        } else {
          appendLinkified(parent, line);
        }
      });
    }

    function renderMessage(message) {
      if (!message.text) return;
      var bubble = el("div", { class: "vc-msg vc-msg--" + message.from });
      if (message.from === "bot" && message.urgent === true) {
        bubble.classList.add("vc-msg--urgent");
        if (message.category) bubble.setAttribute("data-category", message.category);
        bubble.appendChild(el("span", { class: "vc-sr" }, t("urgentFrom")));
        var badge = el("a", { class: "vc-badge", href: "tel:" + chat.options.emergencyNumber.replace(/[^\d+]/g, "") }, t("call"));
        bubble.appendChild(badge);
      } else {
        bubble.appendChild(el("span", { class: "vc-sr" }, message.from === "bot" ? t("fromAssistant") : t("fromYou")));
      }
      // The reply's own language, for screen readers (older replies may be in another).
      var body = el("div", { class: "vc-text", lang: message.language || null });
      if (message.from === "bot") renderBotText(body, message.text);
      else body.textContent = message.text;
      bubble.appendChild(body);
      if (message.from === "bot" && message.answer && !message.urgent) bubble.appendChild(chat.feedbackFor(message));
      if (message.pending) {
        bubble.classList.add("vc-msg--pending");
        bubble.appendChild(el("span", { class: "vc-pending-note" }, t("pending")));
      }
      ui.log.appendChild(bubble);
    }

    function renderQuickReplies() {
      var quickReplies = ui.quickReplies;
      while (quickReplies.firstChild) quickReplies.removeChild(quickReplies.firstChild);
      var last = chat.history[chat.history.length - 1];
      var replies = last && last.from === "bot" && Array.isArray(last.quickReplies) ? last.quickReplies : [];
      replies.forEach(function (reply) {
        var button = el("button", { class: "vc-chip", type: "button" }, reply.title);
        button.addEventListener("click", function () {
          chat.send(reply.title, reply.payload);
          ui.input.focus();
        });
        quickReplies.appendChild(button);
      });
      quickReplies.hidden = replies.length === 0;
    }

    function renderAll() {
      while (ui.log.firstChild) ui.log.removeChild(ui.log.firstChild);
      chat.history.forEach(renderMessage);
      renderQuickReplies();
      scrollToEnd();
    }

    function addMessage(message) {
      chat.history.push(message);
      chat.saveHistory();
      renderMessage(message);
      renderQuickReplies();
      scrollToEnd();
    }

    function scrollToEnd() {
      ui.scroller.scrollTop = ui.scroller.scrollHeight;
    }

    function showTyping() {
      ui.typing.hidden = false;
      scrollToEnd();
      clearTimeout(typingTimer);
      typingTimer = setTimeout(hideTyping, TYPING_TIMEOUT_MS);
    }

    function hideTyping() {
      clearTimeout(typingTimer);
      ui.typing.hidden = true;
    }

    // key: a notice from the words table ("offline"...), or "" for none.
    function setStatus(key) {
      chat.statusKey = key;
      var text = key ? t(key) : "";
      if (ui.status.textContent !== text) ui.status.textContent = text;
    }

    // The queued messages went out: their "Waiting to send" notes go.
    function markSent() {
      var changed = false;
      chat.history.forEach(function (m) {
        if (m.pending) { delete m.pending; changed = true; }
      });
      if (changed) {
        chat.saveHistory();
        ui.log.querySelectorAll(".vc-msg--pending").forEach(function (bubble) {
          bubble.classList.remove("vc-msg--pending");
          var note = bubble.querySelector(".vc-pending-note");
          if (note) note.remove();
        });
      }
    }

    Object.assign(chat, {
      renderAll: renderAll,
      addMessage: addMessage,
      scrollToEnd: scrollToEnd,
      showTyping: showTyping,
      hideTyping: hideTyping,
      setStatus: setStatus,
      markSent: markSent,
    });
  };
})();
