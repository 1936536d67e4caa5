/*!
 * Valtrex chat widget, part "storage": what this browser keeps (session id,
 * conversation, messages waiting to be sent, language, whether the chat is open)
 * and the checks on it as it is read back, since anything in localStorage may be
 * old or edited by hand. valtrex-chat.js loads this file and sets it up first.
 */
(function () {
  "use strict";

  var parts = (window.ValtrexChatParts = window.ValtrexChatParts || {});

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
})();
