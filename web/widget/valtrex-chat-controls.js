/*!
 * Valtrex chat widget, part "controls": what people press and type. The
 * launcher and Escape open and close the chat; "New chat" starts over; the input
 * counts characters up to the limit; the "More" menu opens a printable transcript
 * (valtrex-chat-transcript.js, built in the browser, nothing sent) and
 * "Delete my data", which asks the assistant to forget the conversation.
 * valtrex-chat.js loads this file beside it and sets it up last.
 */
(function () {
  "use strict";

  var parts = (window.ValtrexChatParts = window.ValtrexChatParts || {});

  parts.controls = function (chat) {
    var options = chat.options;
    var ui = chat.ui;
    var t = chat.t;

    // --- The "More" menu: transcript, delete my data ---

    function setMenu(show, focusButton) {
      ui.menu.hidden = !show;
      ui.menuButton.setAttribute("aria-expanded", show ? "true" : "false");
      if (show) ui.printButton.focus();
      else if (focusButton) ui.menuButton.focus();
    }

    function printTranscript() {
      setMenu(false);
      // Opened at once, in the click, so a pop-up blocker lets it through.
      var win = window.open("", "_blank");
      if (!win) return chat.setStatus("popupBlocked");
      var messages = chat.history.map(function (m) {
        return { from: m.from, text: m.text, urgent: m.urgent === true, language: m.language };
      });
      chat.loadScript(options.transcriptUrl, "data-valtrex-chat-transcript", function () {
        window.ValtrexChatTranscript.render(win, messages, {
          language: chat.language, words: chat.words[chat.language].transcript, title: t("title"),
          disclaimer: t("disclaimerLead") + " " + t("disclaimerRest"),
        });
      }, "noTranscript");
    }

    function forgetMe() {
      setMenu(false);
      chat.send(t("forget"), "/forget_me");
      ui.input.focus();
    }

    function newChat() {
      chat.startOver([]);
      ui.input.focus();
    }

    // --- Opening, closing, typing ---

    function open(moveFocus) {
      ui.panel.hidden = false;
      ui.root.classList.add("vc--open");
      ui.launcher.setAttribute("aria-expanded", "true");
      try { chat.perTab.setItem(chat.keys.open, "1"); } catch (error) { /* ignore */ }
      chat.connect();
      chat.scrollToEnd();
      if (moveFocus) ui.input.focus();
    }

    function close() {
      ui.panel.hidden = true;
      ui.root.classList.remove("vc--open");
      ui.launcher.setAttribute("aria-expanded", "false");
      chat.removeKey(chat.perTab, chat.keys.open);
      ui.launcher.focus();
    }

    // In code points (most emoji count once), not UTF-16 units.
    function length(text) {
      return Array.from(text).length;
    }

    function updateCounter() {
      var count = length(ui.input.value);
      var over = count > options.maxLength;
      ui.counter.textContent = count + "/" + options.maxLength;
      ui.counter.classList.toggle("vc-counter--over", over);
      var note = over ? t("tooLong", { max: options.maxLength }) : "";
      if (ui.limitNote.textContent !== note) ui.limitNote.textContent = note;
      ui.input.setAttribute("aria-invalid", over ? "true" : "false");
      ui.sendButton.disabled = over;
      ui.input.style.height = "auto";
      ui.input.style.height = Math.min(ui.input.scrollHeight, 120) + "px";
    }

    function submit() {
      var text = ui.input.value.trim();
      if (!text || length(text) > options.maxLength) return;
      ui.input.value = "";
      updateCounter();
      chat.send(text, text);
    }

    ui.launcher.addEventListener("click", function () {
      if (ui.panel.hidden) open(true);
      else close();
    });
    ui.closeButton.addEventListener("click", close);
    ui.newChatButton.addEventListener("click", newChat);
    ui.menuButton.addEventListener("click", function () { setMenu(ui.menu.hidden, true); });
    ui.printButton.addEventListener("click", printTranscript);
    ui.forgetButton.addEventListener("click", forgetMe);
    ui.panel.addEventListener("keydown", function (event) {
      if (event.key !== "Escape") return;
      event.preventDefault();
      if (!ui.menu.hidden) setMenu(false, true); // Escape closes the menu first, then the chat
      else close();
    });
    ui.panel.addEventListener("click", function (event) {
      if (!ui.menu.hidden && !ui.menu.contains(event.target) && event.target !== ui.menuButton) setMenu(false);
    });
    ui.launcher.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && !ui.panel.hidden) close();
    });
    ui.form.addEventListener("submit", function (event) {
      event.preventDefault();
      submit();
    });
    ui.input.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        submit();
      }
    });
    ui.input.addEventListener("input", updateCounter);

    Object.assign(chat, { open: open, updateCounter: updateCounter });
  };
})();
