/*!
 * Valtrex info assistant: chat widget for the Rasa socket.io channel.
 * Plain JavaScript, no framework, no build step. Embed with one script tag:
 *
 *   <script>window.ValtrexChat = {serverUrl: "https://assistant.example.org"}</script>
 *   <script src="widget/valtrex-chat.js" defer></script>
 *
 * It loads valtrex-chat.css, valtrex-chat-strings.js (every word it shows, in
 * English and Spanish) and its parts (PARTS below, valtrex-chat-<part>.js) beside
 * this file and ../vendor/socket.io.min.js (unless window.io is already there)
 * relative to its own URL, and renders into a <valtrex-chat> element with a
 * shadow root, so the host page's CSS and the widget's do not mix.
 *
 * Safety rules every part keeps:
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

  function stringOption(value, fallback) {
    return typeof value === "string" && value.trim() ? value.trim() : fallback;
  }

  function positiveInt(value, fallback) {
    return typeof value === "number" && value > 0 && value === Math.floor(value) ? value : fallback;
  }

  // The parts, set up in this order: a part's set-up may use what the parts before
  // it put on `chat`; calls between parts go through `chat` when they run, so they
  // may point either way. Each one not yet in window.ValtrexChatParts is loaded
  // from valtrex-chat-<name>.js beside this file.
  var PARTS = [
    "storage", // what this browser keeps, checked as it is read back
    "layout", // every element, built once without words
    "language", // the words, t(), the English / Español switch
    "messages", // the conversation on screen, typing indicator, notices
    "feedback", // "Was this helpful?" under curated answers
    "connection", // the socket: session, queue, replies, starting over
    "controls", // launcher, input, "New chat", the "More" menu
  ];

  // What the parts share: the page's settings, the widget's state, each part's functions.
  var chat = {
    config: config,
    options: options,
    englishOverrides: englishOverrides,
    LANGUAGES: LANGUAGES,
    // A curated answer (utter_<intent>/<sub-topic>): the ones people can vote on.
    ANSWER_NAME: /^utter_[a-z_]+\/[a-z_]+$/,
    VOTE_INTENTS: { up: "helpful", down: "not_helpful" },
    loadScript: loadScript,
  };

  var loadedScripts = {};

  // Adds a script tag once, marked with the attribute `marker`; failure names the
  // notice shown if it cannot load (none for the widget's own files: without them
  // there is nothing to show it in).
  function loadScript(url, marker, callback, failure) {
    if (loadedScripts[marker]) return callback();
    var existing = document.querySelector("script[" + marker + "]");
    var tag = existing || document.createElement("script");
    if (!existing) {
      tag.setAttribute("src", url);
      tag.setAttribute(marker, "");
    }
    tag.addEventListener("load", function () { loadedScripts[marker] = true; callback(); });
    tag.addEventListener("error", function () { if (failure) chat.setStatus(failure); });
    if (!existing) document.head.appendChild(tag);
  }

  // The words and the parts first (without them there is nothing to show), then the
  // widget. A page that already has any of them (window.ValtrexChatStrings,
  // window.ValtrexChatParts) is not sent for them again.
  function whenReady() {
    var waiting = 1 + PARTS.length;
    function loaded() {
      waiting -= 1;
      if (waiting === 0) begin();
    }
    if (window.ValtrexChatStrings) loaded();
    else loadScript(options.stringsUrl, "data-valtrex-chat-strings", loaded);
    PARTS.forEach(function (name) {
      if (window.ValtrexChatParts && window.ValtrexChatParts[name]) return loaded();
      loadScript(new URL("valtrex-chat-" + name + ".js", scriptUrl).href, "data-valtrex-chat-" + name, loaded);
    });
  }

  function begin() {
    PARTS.forEach(function (name) { window.ValtrexChatParts[name](chat); });
    chat.loadWords(window.ValtrexChatStrings);
    chat.applyLanguage();
    document.body.appendChild(chat.ui.host);
    chat.renderAll();
    // Reopen after a reload or a page change if it was open (without taking focus).
    if (chat.perTab.getItem(chat.keys.open) === "1") chat.open(false);
    else if (chat.outbox.length) chat.connect();
  }

  // --- The parts not in files of their own (yet): registered as the files register theirs ---

  var parts = (window.ValtrexChatParts = window.ValtrexChatParts || {});

  /*
   * Valtrex chat widget, part "storage": what this browser keeps (session id,
   * conversation, messages waiting to be sent, language, whether the chat is open)
   * and the checks on it as it is read back, since anything in localStorage may be
   * old or edited by hand.
   */
  parts.storage = function (chat) {
    var MAX_STORED_MESSAGES = 200;

    // Falls back to memory when the browser refuses storage (private modes, policies).
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
    var prefix = chat.options.storageKey;
    var keys = {
      session: prefix + ":session",
      history: prefix + ":history",
      outbox: prefix + ":outbox",
      open: prefix + ":open",
      language: prefix + ":language",
    };

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

    function removeKey(area, key) {
      try { area.removeItem(key); } catch (error) { /* ignore */ }
    }

    function validLanguage(value) {
      return chat.LANGUAGES.indexOf(value) >= 0 ? value : null;
    }

    function validSessionId(value) {
      return typeof value === "string" && /^[\w-]{1,128}$/.test(value) ? value : null;
    }

    function cleanHistory(items) {
      if (!Array.isArray(items)) return [];
      return items.filter(function (m) {
        if (!m || (m.from !== "user" && m.from !== "bot") || typeof m.text !== "string") return false;
        if (m.answer !== undefined && !(typeof m.answer === "string" && chat.ANSWER_NAME.test(m.answer))) delete m.answer;
        if (m.vote !== undefined && !chat.VOTE_INTENTS.hasOwnProperty(m.vote)) delete m.vote;
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
      if (chat.history.length > MAX_STORED_MESSAGES) chat.history = chat.history.slice(-MAX_STORED_MESSAGES);
      writeJson(local, keys.history, chat.history);
    }

    Object.assign(chat, {
      local: local,
      perTab: perTab,
      keys: keys,
      writeJson: writeJson,
      removeKey: removeKey,
      validLanguage: validLanguage,
      validSessionId: validSessionId,
      saveHistory: saveHistory,
      // The state the other parts share, as this browser left it.
      sessionId: validSessionId(local.getItem(keys.session)),
      history: cleanHistory(readJson(local, keys.history, [])),
      outbox: readJson(local, keys.outbox, []).filter(function (m) { return typeof m === "string"; }),
      language: validLanguage(local.getItem(keys.language)) || chat.options.language,
    });
  };

  if (document.body) whenReady();
  else document.addEventListener("DOMContentLoaded", whenReady);
})();
