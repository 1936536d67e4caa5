/*!
 * Valtrex chat widget, part "language": the widget's words (valtrex-chat-strings.js
 * with the page's changes on top), t() to look one up, and switching language.
 *
 * The English / Español toggle sends /switch_language{"language": "es"} and
 * switches the widget's words at once; after that each reply's
 * `metadata.language` ("es", or none for English) sets them (the "connection"
 * part calls setLanguage), so writing in Spanish turns the widget Spanish too.
 * The choice is kept with the session. valtrex-chat.js loads this file beside it.
 */
(function () {
  "use strict";

  var parts = (window.ValtrexChatParts = window.ValtrexChatParts || {});

  parts.language = function (chat) {
    var ui = chat.ui;

    // The table from valtrex-chat-strings.js, with the page's own changes on top.
    function loadWords(table) {
      var config = chat.config;
      var changes = config.strings && typeof config.strings === "object" ? config.strings : {};
      chat.words = {};
      chat.LANGUAGES.forEach(function (code) {
        var extra = code === "en" ? chat.englishOverrides : {};
        chat.words[code] = Object.assign({}, table[code], extra, changes[code] || {});
      });
    }

    // t("call", {number: "911"}): the current language's words, {name} filled in.
    function t(key, values) {
      var words = chat.words[chat.language];
      var text = words[key];
      var fill = Object.assign({ title: words.title, number: chat.options.emergencyNumber }, values);
      return String(text).replace(/\{(\w+)\}/g, function (all, name) {
        return fill.hasOwnProperty(name) ? String(fill[name]) : all;
      });
    }

    // Every fixed word of the widget, in the current language.
    function applyLanguage() {
      var language = chat.language;
      ui.panel.setAttribute("lang", language);
      ui.launcher.setAttribute("lang", language);
      ui.launcher.setAttribute("aria-label", t("launcherLabel", { launcher: t("launcher") }));
      ui.launcherText.textContent = t("launcher");
      ui.title.textContent = t("title");
      ui.newChatButton.textContent = t("newChat");
      ui.newChatButton.title = t("newChatHint");
      ui.menuButton.textContent = t("more");
      ui.closeButton.setAttribute("aria-label", t("close"));
      ui.printButton.textContent = t("print");
      ui.forgetButton.textContent = t("forget");
      ui.disclaimerLead.textContent = t("disclaimerLead");
      ui.disclaimerRest.textContent = " " + t("disclaimerRest");
      ui.languageSwitch.setAttribute("aria-label", t("languages"));
      chat.LANGUAGES.forEach(function (code) {
        ui.languageButtons[code].setAttribute("aria-pressed", code === language ? "true" : "false");
      });
      ui.log.setAttribute("aria-label", t("conversation"));
      ui.quickReplies.setAttribute("aria-label", t("suggestions"));
      ui.label.textContent = t("inputLabel");
      ui.input.placeholder = t("placeholder");
      ui.sendButton.textContent = t("send");
      chat.setStatus(chat.statusKey);
      chat.updateCounter();
    }

    // The toggle: the widget's words change at once, and the assistant is told.
    function chooseLanguage(code) {
      if (code === chat.language) return;
      setLanguage(code);
      chat.send(null, "/switch_language" + JSON.stringify({ language: code }));
    }

    function setLanguage(code) {
      if (!chat.validLanguage(code) || code === chat.language) return;
      chat.language = code;
      try { chat.local.setItem(chat.keys.language, code); } catch (error) { /* memory only */ }
      applyLanguage();
      chat.renderAll(); // the labels inside the messages too
    }

    // "/greet" opens a new conversation in the widget's language: /greet{"language": "es"}
    // (the entity sets the assistant's language slot). Other messages go as they are.
    function withLanguage(message) {
      var language = chat.language;
      return language !== "en" && /^\/\w+$/.test(message) ? message + JSON.stringify({ language: language }) : message;
    }

    Object.assign(chat, {
      loadWords: loadWords,
      t: t,
      applyLanguage: applyLanguage,
      chooseLanguage: chooseLanguage,
      setLanguage: setLanguage,
      withLanguage: withLanguage,
    });
  };
})();
