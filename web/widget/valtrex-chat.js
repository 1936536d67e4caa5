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

  if (document.body) whenReady();
  else document.addEventListener("DOMContentLoaded", whenReady);
})();
