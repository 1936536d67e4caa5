/*!
 * Valtrex info assistant: chat widget for the Rasa socket.io channel.
 * Plain JavaScript, no framework. Embed with one script tag:
 *
 *   <script>window.ValtrexChat = {serverUrl: "https://assistant.example.org"}</script>
 *   <script src="widget/valtrex-chat.js" defer></script>
 *
 * It loads valtrex-chat.css and valtrex-chat-strings.js (every word it shows, in
 * English and Spanish) beside this file and ../vendor/socket.io.min.js (unless
 * window.io is already there) relative to its own URL, and renders into
 * a <valtrex-chat> element with a shadow root, so the host page's CSS and the
 * widget's do not mix.
 *
 * Safety rules this file keeps:
 *  - every message is inserted with textContent / text nodes, never as HTML;
 *  - only http(s) URLs in bot text become links;
 *  - a reply is styled as urgent only when its metadata says `urgent: true`,
 *    never because of its text.
 *
 * Under each curated answer (its `utter_action` names a sub-topic) it asks "Was
 * this helpful?"; the vote names the answer and no text. Its "More" menu opens a
 * printable transcript (valtrex-chat-transcript.js, built in the browser) and
 * "Delete my data", which asks the assistant to forget the conversation; a reply
 * whose metadata says `forgotten: true` clears what this browser keeps too.
 *
 * Language: the English / Español toggle sends /switch_language{"language": "es"}
 * and switches the widget's words at once; after that each reply's
 * `metadata.language` ("es", or none for English) sets them, so writing in
 * Spanish turns the widget Spanish too. The choice is kept with the session.
 */
(function () {
  "use strict";

  if (window.__valtrexChatLoaded) return;
  window.__valtrexChatLoaded = true;

  var script = document.currentScript;
  var scriptUrl = (script && script.src) || document.baseURI;
  var config = window.ValtrexChat || {};

  var LANGUAGES = ["en", "es"]; // valtrex-chat-strings.js has a table for each
  var LANGUAGE_NAMES = { en: "English", es: "Espa\u00f1ol" }; // each in its own language
  var options = {
    serverUrl: stringOption(config.serverUrl, "http://localhost:5005"),
    socketPath: stringOption(config.socketPath, "/socket.io/"),
    initialMessage: config.initialMessage === undefined ? "/greet" : config.initialMessage,
    language: LANGUAGES.indexOf(config.language) >= 0 ? config.language : "en",
    emergencyNumber: stringOption(config.emergencyNumber, "911"),
    maxLength: positiveInt(config.maxLength, 1000),
    storageKey: stringOption(config.storageKey, "valtrex-chat"),
    // WebSocket first: it needs no CORS and no sticky sessions; long-polling (which
    // needs `rasa run --cors <page origin>`) only where WebSockets are blocked.
    transports: Array.isArray(config.transports) ? config.transports : ["websocket", "polling"],
    cssUrl: new URL(stringOption(config.cssUrl, "valtrex-chat.css"), scriptUrl).href,
    socketIoUrl: new URL(stringOption(config.socketIoUrl, "../vendor/socket.io.min.js"), scriptUrl).href,
    transcriptUrl: new URL(stringOption(config.transcriptUrl, "valtrex-chat-transcript.js"), scriptUrl).href,
    stringsUrl: new URL(stringOption(config.stringsUrl, "valtrex-chat-strings.js"), scriptUrl).href,
  };
  // The older one-language options still set the English words.
  var englishOverrides = {};
  [["title", "title"], ["launcherText", "launcher"], ["disclaimerLead", "disclaimerLead"],
    ["disclaimerRest", "disclaimerRest"]].forEach(function (pair) {
    if (stringOption(config[pair[0]], "")) englishOverrides[pair[1]] = config[pair[0]].trim();
  });

  var MAX_STORED_MESSAGES = 200;
  var TYPING_TIMEOUT_MS = 30000;
  // A curated answer (utter_<intent>/<sub-topic>): the ones people can vote on.
  var ANSWER_NAME = /^utter_[a-z_]+\/[a-z_]+$/;
  var VOTE_INTENTS = { up: "helpful", down: "not_helpful" };
  var SOURCE_LINE = /^(Source|Fuente):/; // an answer's last line, in English or Spanish

  function stringOption(value, fallback) {
    return typeof value === "string" && value.trim() ? value.trim() : fallback;
  }

  function positiveInt(value, fallback) {
    return typeof value === "number" && value > 0 && value === Math.floor(value) ? value : fallback;
  }

  // --- Storage (falls back to memory when the browser refuses it) -------------

  function storageArea(name) {
    try {
      var area = window[name];
      area.setItem("__valtrex_chat_probe", "1");
      area.removeItem("__valtrex_chat_probe");
      return area;
    } catch (error) {
      var memory = {};
      return {
        getItem: function (key) { return Object.prototype.hasOwnProperty.call(memory, key) ? memory[key] : null; },
        setItem: function (key, value) { memory[key] = String(value); },
        removeItem: function (key) { delete memory[key]; },
      };
    }
  }

  var local = storageArea("localStorage");
  var perTab = storageArea("sessionStorage");
  var KEY_SESSION = options.storageKey + ":session";
  var KEY_HISTORY = options.storageKey + ":history";
  var KEY_OUTBOX = options.storageKey + ":outbox";
  var KEY_OPEN = options.storageKey + ":open";
  var KEY_LANGUAGE = options.storageKey + ":language";

  function readJson(area, key, fallback) {
    try {
      var value = JSON.parse(area.getItem(key));
      return value === null || value === undefined ? fallback : value;
    } catch (error) {
      return fallback;
    }
  }

  function writeJson(area, key, value) {
    try {
      area.setItem(key, JSON.stringify(value));
    } catch (error) {
      /* storage full or refused: the conversation still works, it just won't survive a reload */
    }
  }

  function remove(area, key) {
    try { area.removeItem(key); } catch (error) { /* ignore */ }
  }

  // --- State ------------------------------------------------------------------

  var sessionId = validSessionId(local.getItem(KEY_SESSION));
  var history = cleanHistory(readJson(local, KEY_HISTORY, []));
  var outbox = readJson(local, KEY_OUTBOX, []).filter(function (m) { return typeof m === "string"; });
  var socket = null;
  var ready = false; // connected and the session confirmed
  var typingTimer = null;
  var idCounter = 0;
  var language = validLanguage(local.getItem(KEY_LANGUAGE)) || options.language;
  var words = null; // per language: valtrex-chat-strings.js with the page's changes
  var statusKey = ""; // the notice shown, so it can change language with the rest

  function validLanguage(value) {
    return LANGUAGES.indexOf(value) >= 0 ? value : null;
  }

  function validSessionId(value) {
    return typeof value === "string" && /^[\w-]{1,128}$/.test(value) ? value : null;
  }

  function cleanHistory(items) {
    if (!Array.isArray(items)) return [];
    return items.filter(function (m) {
      if (!m || (m.from !== "user" && m.from !== "bot") || typeof m.text !== "string") return false;
      if (m.answer !== undefined && !(typeof m.answer === "string" && ANSWER_NAME.test(m.answer))) delete m.answer;
      if (m.vote !== undefined && !VOTE_INTENTS.hasOwnProperty(m.vote)) delete m.vote;
      if (m.language !== undefined && !validLanguage(m.language)) delete m.language;
      if (m.quickReplies !== undefined) {
        if (!Array.isArray(m.quickReplies)) return false;
        m.quickReplies = m.quickReplies.filter(function (r) {
          return r && typeof r.title === "string" && typeof r.payload === "string";
        });
      }
      return true;
    }).slice(-MAX_STORED_MESSAGES);
  }

  function saveHistory() {
    if (history.length > MAX_STORED_MESSAGES) history = history.slice(-MAX_STORED_MESSAGES);
    writeJson(local, KEY_HISTORY, history);
  }

  // --- Words ----------------------------------------------------------------------

  // The table from valtrex-chat-strings.js, with the page's own changes on top.
  function loadWords(table) {
    var changes = config.strings && typeof config.strings === "object" ? config.strings : {};
    words = {};
    LANGUAGES.forEach(function (code) {
      var extra = code === "en" ? englishOverrides : {};
      words[code] = Object.assign({}, table[code], extra, changes[code] || {});
    });
  }

  // t("call", {number: "911"}): the current language's words, {name} filled in.
  function t(key, values) {
    var text = words[language][key];
    var fill = Object.assign({ title: words[language].title, number: options.emergencyNumber }, values);
    return String(text).replace(/\{(\w+)\}/g, function (all, name) {
      return fill.hasOwnProperty(name) ? String(fill[name]) : all;
    });
  }

  // --- DOM helpers --------------------------------------------------------------

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

  // Only http(s) URLs become links; everything else stays plain text.
  var URL_PATTERN = /\bhttps?:\/\/[^\s<>"'`]+/gi;

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

  // --- Build the widget -------------------------------------------------------------

  var host = document.createElement("valtrex-chat");
  var shadow = host.attachShadow({ mode: "open" });
  var ids = { panel: uid("panel"), title: uid("title"), input: uid("input"), counter: uid("counter"), limit: uid("limit"), disclaimer: uid("disclaimer") };

  var stylesheet = el("link", { rel: "stylesheet", href: options.cssUrl });
  var root = el("div", { class: "vc" });
  root.style.display = "none"; // until the stylesheet is in, so nothing flashes unstyled
  function reveal() { root.style.display = ""; }
  stylesheet.addEventListener("load", reveal);
  stylesheet.addEventListener("error", reveal);

  // Built without words: applyLanguage() puts them in, and again on every switch.
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
  LANGUAGES.forEach(function (code) {
    var button = el("button", { class: "vc-lang-option", type: "button", lang: code }, LANGUAGE_NAMES[code]);
    button.addEventListener("click", function () { chooseLanguage(code); });
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
  var counter = el("span", { class: "vc-counter", id: ids.counter }, "0/" + options.maxLength);
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

  // Every fixed word of the widget, in the current language.
  function applyLanguage() {
    panel.setAttribute("lang", language);
    launcher.setAttribute("lang", language);
    launcher.setAttribute("aria-label", t("launcherLabel", { launcher: t("launcher") }));
    launcherText.textContent = t("launcher");
    title.textContent = t("title");
    newChatButton.textContent = t("newChat");
    newChatButton.title = t("newChatHint");
    menuButton.textContent = t("more");
    closeButton.setAttribute("aria-label", t("close"));
    printButton.textContent = t("print");
    forgetButton.textContent = t("forget");
    disclaimerLead.textContent = t("disclaimerLead");
    disclaimerRest.textContent = " " + t("disclaimerRest");
    languageSwitch.setAttribute("aria-label", t("languages"));
    LANGUAGES.forEach(function (code) {
      languageButtons[code].setAttribute("aria-pressed", code === language ? "true" : "false");
    });
    log.setAttribute("aria-label", t("conversation"));
    quickReplies.setAttribute("aria-label", t("suggestions"));
    label.textContent = t("inputLabel");
    input.placeholder = t("placeholder");
    sendButton.textContent = t("send");
    setStatus(statusKey);
    updateCounter();
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

  // --- Messages -------------------------------------------------------------------

  function renderMessage(message) {
    if (!message.text) return;
    var bubble = el("div", { class: "vc-msg vc-msg--" + message.from });
    if (message.from === "bot" && message.urgent === true) {
      bubble.classList.add("vc-msg--urgent");
      if (message.category) bubble.setAttribute("data-category", message.category);
      bubble.appendChild(el("span", { class: "vc-sr" }, t("urgentFrom")));
      var badge = el("a", { class: "vc-badge", href: "tel:" + options.emergencyNumber.replace(/[^\d+]/g, "") }, t("call"));
      bubble.appendChild(badge);
    } else {
      bubble.appendChild(el("span", { class: "vc-sr" }, message.from === "bot" ? t("fromAssistant") : t("fromYou")));
    }
    // The reply's own language, for screen readers (older replies may be in another).
    var body = el("div", { class: "vc-text", lang: message.language || null });
    if (message.from === "bot") renderBotText(body, message.text);
    else body.textContent = message.text;
    bubble.appendChild(body);
    if (message.from === "bot" && message.answer && !message.urgent) bubble.appendChild(feedbackFor(message));
    if (message.pending) {
      bubble.classList.add("vc-msg--pending");
      bubble.appendChild(el("span", { class: "vc-pending-note" }, t("pending")));
    }
    log.appendChild(bubble);
  }

  // "Was this helpful?": two buttons, one vote per answer (kept with the history).
  function feedbackFor(message) {
    var group = el("div", { class: "vc-feedback", role: "group", "aria-label": t("feedbackGroup") });
    group.appendChild(el("span", { class: "vc-feedback-question" },
      message.vote ? t("feedbackThanks") : t("feedbackQuestion")));
    [["up", t("yes"), t("yesLabel")], ["down", t("no"), t("noLabel")]].forEach(function (choice) {
      var button = el("button", {
        class: "vc-vote vc-vote--" + choice[0], type: "button", "aria-label": choice[2],
        "aria-pressed": message.vote === choice[0] ? "true" : "false", disabled: Boolean(message.vote),
      }, choice[1]);
      button.addEventListener("click", function () { vote(message, choice[0], group); });
      group.appendChild(button);
    });
    return group;
  }

  function vote(message, choice, group) {
    if (message.vote || !VOTE_INTENTS.hasOwnProperty(choice)) return;
    message.vote = choice;
    saveHistory();
    group.replaceWith(feedbackFor(message));
    send(null, "/" + VOTE_INTENTS[choice] + JSON.stringify({ answer: message.answer }));
    input.focus();
  }

  function renderQuickReplies() {
    while (quickReplies.firstChild) quickReplies.removeChild(quickReplies.firstChild);
    var last = history[history.length - 1];
    var replies = last && last.from === "bot" && Array.isArray(last.quickReplies) ? last.quickReplies : [];
    replies.forEach(function (reply) {
      var button = el("button", { class: "vc-chip", type: "button" }, reply.title);
      button.addEventListener("click", function () {
        send(reply.title, reply.payload);
        input.focus();
      });
      quickReplies.appendChild(button);
    });
    quickReplies.hidden = replies.length === 0;
  }

  function renderAll() {
    while (log.firstChild) log.removeChild(log.firstChild);
    history.forEach(renderMessage);
    renderQuickReplies();
    scrollToEnd();
  }

  function addMessage(message) {
    history.push(message);
    saveHistory();
    renderMessage(message);
    renderQuickReplies();
    scrollToEnd();
  }

  function scrollToEnd() {
    scroller.scrollTop = scroller.scrollHeight;
  }

  function showTyping() {
    typing.hidden = false;
    scrollToEnd();
    clearTimeout(typingTimer);
    typingTimer = setTimeout(hideTyping, TYPING_TIMEOUT_MS);
  }

  function hideTyping() {
    clearTimeout(typingTimer);
    typing.hidden = true;
  }

  // key: a notice from the words table ("offline"...), or "" for none.
  function setStatus(key) {
    statusKey = key;
    var text = key ? t(key) : "";
    if (status.textContent !== text) status.textContent = text;
  }

  function markSent() {
    var changed = false;
    history.forEach(function (m) {
      if (m.pending) { delete m.pending; changed = true; }
    });
    if (changed) {
      saveHistory();
      log.querySelectorAll(".vc-msg--pending").forEach(function (bubble) {
        bubble.classList.remove("vc-msg--pending");
        var note = bubble.querySelector(".vc-pending-note");
        if (note) note.remove();
      });
    }
  }

  // --- Talking to the server ---------------------------------------------------------

  // displayText null: nothing shown (a vote is shown on its answer instead).
  function send(displayText, payload) {
    if (displayText !== null) addMessage({ from: "user", text: displayText, pending: !ready || undefined });
    outbox.push(payload);
    writeJson(local, KEY_OUTBOX, outbox);
    connect();
    flush();
  }

  // The widget's language goes with every message (the toggle's switch included).
  function emitUser(message) {
    socket.emit("user_uttered", { message: message, session_id: sessionId, metadata: { language: language } });
    showTyping();
  }

  function flush() {
    if (!ready || !socket || !socket.connected) return;
    while (outbox.length) emitUser(outbox.shift());
    remove(local, KEY_OUTBOX);
    markSent();
  }

  function onSessionConfirm(payload) {
    var confirmed = validSessionId(typeof payload === "string" ? payload : payload && payload.session_id);
    if (!confirmed) return;
    var fresh = !sessionId;
    sessionId = confirmed;
    try { local.setItem(KEY_SESSION, sessionId); } catch (error) { /* memory only */ }
    ready = true;
    setStatus("");
    if (fresh && history.length === 0 && outbox.length === 0 &&
        typeof options.initialMessage === "string" && options.initialMessage) {
      emitUser(withLanguage(options.initialMessage));
    }
    flush();
  }

  // "/greet" opens a new conversation in the widget's language: /greet{"language": "es"}
  // (the entity sets the assistant's language slot). Other messages go as they are.
  function withLanguage(message) {
    return language !== "en" && /^\/\w+$/.test(message) ? message + JSON.stringify({ language: language }) : message;
  }

  function onBotUttered(data) {
    if (!data || typeof data !== "object") return;
    hideTyping();
    var text = typeof data.text === "string" ? data.text : "";
    var rawReplies = Array.isArray(data.quick_replies) ? data.quick_replies : Array.isArray(data.buttons) ? data.buttons : [];
    var replies = rawReplies.filter(function (reply) {
      return reply && typeof reply.title === "string" && reply.title && typeof reply.payload === "string" && reply.payload;
    }).map(function (reply) {
      return { title: reply.title, payload: reply.payload };
    });
    if (!text && replies.length === 0) return; // images, custom payloads: not shown by this widget
    var metadata = data.metadata && typeof data.metadata === "object" ? data.metadata : {};
    var message = { from: "bot", text: text };
    if (replies.length) message.quickReplies = replies;
    if (metadata.urgent === true) {
      message.urgent = true;
      if (typeof metadata.category === "string" && /^[\w-]{1,64}$/.test(metadata.category)) message.category = metadata.category;
    }
    if (typeof data.utter_action === "string" && ANSWER_NAME.test(data.utter_action)) message.answer = data.utter_action;
    // Every Spanish reply says so; an English one says nothing.
    message.language = validLanguage(metadata.language) || "en";
    setLanguage(message.language);
    if (metadata.forgotten === true) return forgetHere(message);
    addMessage(message);
  }

  // The toggle: the widget's words change at once, and the assistant is told.
  function chooseLanguage(code) {
    if (code === language) return;
    setLanguage(code);
    send(null, "/switch_language" + JSON.stringify({ language: code }));
  }

  function setLanguage(code) {
    if (!validLanguage(code) || code === language) return;
    language = code;
    try { local.setItem(KEY_LANGUAGE, language); } catch (error) { /* memory only */ }
    applyLanguage();
    renderAll(); // the labels inside the messages too
  }

  function loadSocketIo(callback) {
    if (typeof window.io === "function") return callback();
    loadScript(options.socketIoUrl, "data-valtrex-chat-socketio", callback, "unreachable");
  }

  var loadedScripts = {};

  function loadScript(url, marker, callback, failure) {
    if (loadedScripts[marker]) return callback();
    var existing = document.querySelector("script[" + marker + "]");
    var tag = existing || el("script", { src: url });
    if (!existing) tag.setAttribute(marker, "");
    tag.addEventListener("load", function () { loadedScripts[marker] = true; callback(); });
    tag.addEventListener("error", function () { if (failure) setStatus(failure); });
    if (!existing) document.head.appendChild(tag);
  }

  function connect() {
    if (socket) return;
    socket = "loading";
    loadSocketIo(function () {
      socket = window.io(options.serverUrl, {
        path: options.socketPath,
        transports: options.transports,
        tryAllTransports: true,
        reconnection: true,
        reconnectionAttempts: Infinity,
        reconnectionDelay: 1000,
        reconnectionDelayMax: 8000,
        randomizationFactor: 0.5,
        timeout: 10000,
      });
      socket.on("connect", function () {
        socket.emit("session_request", { session_id: sessionId });
      });
      socket.on("session_confirm", onSessionConfirm);
      socket.on("bot_uttered", onBotUttered);
      socket.on("disconnect", function (reason) {
        ready = false;
        hideTyping();
        if (reason === "io client disconnect") return; // "New chat": we reconnect at once
        setStatus("offline");
        // The server closed this socket on purpose: socket.io won't retry by itself.
        if (reason === "io server disconnect") socket.connect();
      });
      socket.on("connect_error", function () {
        ready = false;
        setStatus(history.length ? "offline" : "unreachable");
      });
    });
  }

  function newChat() {
    startOver([]);
    input.focus();
  }

  // The assistant deleted the conversation: this browser forgets it too (history,
  // queue, session id) and keeps only the confirmation, in a new session.
  function forgetHere(confirmation) {
    startOver([{ from: "bot", text: confirmation.text, language: confirmation.language }]);
    saveHistory();
  }

  function startOver(keep) {
    history = keep;
    outbox = [];
    sessionId = null;
    remove(local, KEY_HISTORY);
    remove(local, KEY_OUTBOX);
    remove(local, KEY_SESSION);
    hideTyping();
    renderAll();
    if (socket && socket !== "loading") {
      // A fresh connection asks for a fresh session and leaves the old one's room.
      ready = false;
      socket.disconnect();
      socket.connect();
    } else {
      connect();
    }
  }

  // --- The "More" menu: transcript, delete my data --------------------------------

  function setMenu(show, focusButton) {
    menu.hidden = !show;
    menuButton.setAttribute("aria-expanded", show ? "true" : "false");
    if (show) printButton.focus();
    else if (focusButton) menuButton.focus();
  }

  function printTranscript() {
    setMenu(false);
    // Opened at once, in the click, so a pop-up blocker lets it through.
    var win = window.open("", "_blank");
    if (!win) return setStatus("popupBlocked");
    var messages = history.map(function (m) {
      return { from: m.from, text: m.text, urgent: m.urgent === true, language: m.language };
    });
    loadScript(options.transcriptUrl, "data-valtrex-chat-transcript", function () {
      window.ValtrexChatTranscript.render(win, messages, {
        language: language, words: words[language].transcript, title: t("title"),
        disclaimer: t("disclaimerLead") + " " + t("disclaimerRest"),
      });
    }, "noTranscript");
  }

  function forgetMe() {
    setMenu(false);
    send(t("forget"), "/forget_me");
    input.focus();
  }

  // --- Opening, closing, typing -------------------------------------------------------

  function open(moveFocus) {
    panel.hidden = false;
    root.classList.add("vc--open");
    launcher.setAttribute("aria-expanded", "true");
    try { perTab.setItem(KEY_OPEN, "1"); } catch (error) { /* ignore */ }
    connect();
    scrollToEnd();
    if (moveFocus) input.focus();
  }

  function close() {
    panel.hidden = true;
    root.classList.remove("vc--open");
    launcher.setAttribute("aria-expanded", "false");
    remove(perTab, KEY_OPEN);
    launcher.focus();
  }

  function length(text) {
    return Array.from(text).length;
  }

  function updateCounter() {
    var count = length(input.value);
    var over = count > options.maxLength;
    counter.textContent = count + "/" + options.maxLength;
    counter.classList.toggle("vc-counter--over", over);
    var note = over ? t("tooLong", { max: options.maxLength }) : "";
    if (limitNote.textContent !== note) limitNote.textContent = note;
    input.setAttribute("aria-invalid", over ? "true" : "false");
    sendButton.disabled = over;
    input.style.height = "auto";
    input.style.height = Math.min(input.scrollHeight, 120) + "px";
  }

  function submit() {
    var text = input.value.trim();
    if (!text || length(text) > options.maxLength) return;
    input.value = "";
    updateCounter();
    send(text, text);
  }

  launcher.addEventListener("click", function () {
    if (panel.hidden) open(true);
    else close();
  });
  closeButton.addEventListener("click", close);
  newChatButton.addEventListener("click", newChat);
  menuButton.addEventListener("click", function () { setMenu(menu.hidden, true); });
  printButton.addEventListener("click", printTranscript);
  forgetButton.addEventListener("click", forgetMe);
  panel.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    event.preventDefault();
    if (!menu.hidden) setMenu(false, true); // Escape closes the menu first, then the chat
    else close();
  });
  panel.addEventListener("click", function (event) {
    if (!menu.hidden && !menu.contains(event.target) && event.target !== menuButton) setMenu(false);
  });
  launcher.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && !panel.hidden) close();
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    submit();
  });
  input.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      submit();
    }
  });
  input.addEventListener("input", updateCounter);

  // --- Start --------------------------------------------------------------------

  function start() {
    applyLanguage();
    document.body.appendChild(host);
    renderAll();
    // Reopen after a reload or a page change if it was open (without taking focus).
    if (perTab.getItem(KEY_OPEN) === "1") open(false);
    else if (outbox.length) connect();
  }

  // The words first (without them there is nothing to show), then the widget.
  function whenReady() {
    if (window.ValtrexChatStrings) return begin();
    loadScript(options.stringsUrl, "data-valtrex-chat-strings", begin);
  }

  function begin() {
    loadWords(window.ValtrexChatStrings);
    start();
  }

  if (document.body) whenReady();
  else document.addEventListener("DOMContentLoaded", whenReady);
})();
