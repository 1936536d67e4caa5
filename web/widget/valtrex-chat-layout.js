/*!
 * Valtrex chat widget, part "layout": builds every element of the widget once,
 * inside a <valtrex-chat> element's shadow root (so the host page's CSS and the
 * widget's do not mix), and hands them to the other parts as chat.ui. It is built
 * without words: the "language" part puts them in, and again on every switch.
 * valtrex-chat.js loads this file beside it.
 */
(function () {
  "use strict";

  var parts = (window.ValtrexChatParts = window.ValtrexChatParts || {});

  parts.layout = function (chat) {
    var LANGUAGE_NAMES = { en: "English", es: "Espa\u00f1ol" }; // each in its own language
    var idCounter = 0;

    // The one way the widget makes elements: attributes and text, never HTML.
    function el(tag, attributes, text) {
      var node = document.createElement(tag);
      if (attributes) {
        Object.keys(attributes).forEach(function (name) {
          var value = attributes[name];
          if (value === true) node.setAttribute(name, "");
          else if (value !== false && value !== null && value !== undefined) node.setAttribute(name, String(value));
        });
      }
      if (text !== undefined) node.textContent = text;
      return node;
    }

    function uid(name) {
      idCounter += 1;
      return "vc-" + name + "-" + idCounter;
    }

    function svg(pathData) {
      var ns = "http://www.w3.org/2000/svg";
      var icon = document.createElementNS(ns, "svg");
      icon.setAttribute("viewBox", "0 0 24 24");
      icon.setAttribute("aria-hidden", "true");
      icon.setAttribute("focusable", "false");
      var path = document.createElementNS(ns, "path");
      path.setAttribute("d", pathData);
      icon.appendChild(path);
      return icon;
    }

    function chatIcon() {
      return svg("M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2zm3 5v2h10V9H7zm0 4v2h7v-2H7z");
    }

    function closeIcon() {
      return svg("M6.4 5 12 10.6 17.6 5 19 6.4 13.4 12 19 17.6 17.6 19 12 13.4 6.4 19 5 17.6 10.6 12 5 6.4z");
    }

    var host = document.createElement("valtrex-chat");
    var shadow = host.attachShadow({ mode: "open" });
    var ids = { panel: uid("panel"), title: uid("title"), input: uid("input"), counter: uid("counter"), limit: uid("limit"), disclaimer: uid("disclaimer") };

    var stylesheet = el("link", { rel: "stylesheet", href: chat.options.cssUrl });
    var root = el("div", { class: "vc" });
    root.style.display = "none"; // until the stylesheet is in, so nothing flashes unstyled
    function reveal() { root.style.display = ""; }
    stylesheet.addEventListener("load", reveal);
    stylesheet.addEventListener("error", reveal);

    var launcher = el("button", {
      class: "vc-launcher", type: "button", "aria-expanded": "false", "aria-controls": ids.panel,
    });
    launcher.appendChild(chatIcon());
    var launcherText = el("span", { class: "vc-launcher-text", "aria-hidden": "true" });
    launcher.appendChild(launcherText);

    var panel = el("section", { class: "vc-panel", id: ids.panel, role: "dialog", "aria-modal": "false", "aria-labelledby": ids.title, "aria-describedby": ids.disclaimer, hidden: true });

    var header = el("div", { class: "vc-header" });
    var avatar = el("span", { class: "vc-avatar", "aria-hidden": "true" });
    avatar.appendChild(chatIcon());
    header.appendChild(avatar);
    var title = el("h2", { class: "vc-title", id: ids.title });
    header.appendChild(title);
    var newChatButton = el("button", { class: "vc-new", type: "button" });
    ids.menu = uid("menu");
    var menuButton = el("button", { class: "vc-more", type: "button", "aria-expanded": "false", "aria-controls": ids.menu });
    var closeButton = el("button", { class: "vc-close", type: "button" });
    closeButton.appendChild(closeIcon());
    header.appendChild(newChatButton);
    header.appendChild(menuButton);
    header.appendChild(closeButton);

    // A disclosure (not an ARIA menu): plain buttons, reached with Tab.
    var menu = el("div", { class: "vc-menu", id: ids.menu, hidden: true });
    var printButton = el("button", { class: "vc-menu-item", type: "button" });
    var forgetButton = el("button", { class: "vc-menu-item", type: "button" });
    menu.appendChild(printButton);
    menu.appendChild(forgetButton);

    // The disclaimer, and beside it the language switch: two buttons, the current one pressed.
    var notice = el("div", { class: "vc-notice" });
    var disclaimer = el("p", { class: "vc-disclaimer", id: ids.disclaimer });
    var disclaimerLead = el("strong");
    var disclaimerRest = document.createTextNode("");
    disclaimer.appendChild(disclaimerLead);
    disclaimer.appendChild(disclaimerRest);
    var languageSwitch = el("div", { class: "vc-lang", role: "group" });
    var languageButtons = {};
    chat.LANGUAGES.forEach(function (code) {
      var button = el("button", { class: "vc-lang-option", type: "button", lang: code }, LANGUAGE_NAMES[code]);
      button.addEventListener("click", function () { chat.chooseLanguage(code); });
      languageButtons[code] = button;
      languageSwitch.appendChild(button);
    });
    notice.appendChild(disclaimer);
    notice.appendChild(languageSwitch);

    var status = el("div", { class: "vc-status", role: "status" });

    var scroller = el("div", { class: "vc-scroll" });
    var log = el("div", { class: "vc-log", role: "log", "aria-live": "polite" });
    var quickReplies = el("div", { class: "vc-quick", role: "group", hidden: true });
    var typing = el("div", { class: "vc-typing", "aria-hidden": "true", hidden: true });
    typing.appendChild(el("span", { class: "vc-dot" }));
    typing.appendChild(el("span", { class: "vc-dot" }));
    typing.appendChild(el("span", { class: "vc-dot" }));
    scroller.appendChild(log);
    scroller.appendChild(quickReplies);
    scroller.appendChild(typing);

    var form = el("form", { class: "vc-form", novalidate: true });
    var label = el("label", { class: "vc-sr", for: ids.input });
    var input = el("textarea", {
      class: "vc-input", id: ids.input, rows: "1",
      autocomplete: "off", "aria-describedby": ids.limit + " " + ids.counter,
    });
    var sendButton = el("button", { class: "vc-send", type: "submit" });
    var meta = el("div", { class: "vc-meta" });
    var limitNote = el("span", { class: "vc-limit", id: ids.limit, "aria-live": "polite" });
    var counter = el("span", { class: "vc-counter", id: ids.counter }, "0/" + chat.options.maxLength);
    meta.appendChild(limitNote);
    meta.appendChild(counter);
    form.appendChild(label);
    var row = el("div", { class: "vc-row" });
    row.appendChild(input);
    row.appendChild(sendButton);
    form.appendChild(row);
    form.appendChild(meta);

    panel.appendChild(header);
    panel.appendChild(menu);
    panel.appendChild(notice);
    panel.appendChild(status);
    panel.appendChild(scroller);
    panel.appendChild(form);
    root.appendChild(panel);
    root.appendChild(launcher);
    shadow.appendChild(stylesheet);
    shadow.appendChild(root);

    chat.el = el;
    // Only what other parts change or listen to.
    chat.ui = {
      host: host, root: root, launcher: launcher, launcherText: launcherText, panel: panel,
      title: title, newChatButton: newChatButton, menuButton: menuButton, closeButton: closeButton,
      menu: menu, printButton: printButton, forgetButton: forgetButton,
      disclaimerLead: disclaimerLead, disclaimerRest: disclaimerRest,
      languageSwitch: languageSwitch, languageButtons: languageButtons,
      status: status, scroller: scroller, log: log, quickReplies: quickReplies, typing: typing,
      form: form, label: label, input: input, sendButton: sendButton, limitNote: limitNote, counter: counter,
    };
  };
})();
