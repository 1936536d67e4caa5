/*!
 * Valtrex chat widget, part "connection": the socket.io connection to Rasa's
 * channel (../vendor/socket.io.min.js, loaded relative to valtrex-chat.js unless
 * window.io is already there), the session, the queue of messages waiting to be
 * sent, the replies, and starting over ("New chat", or a reply whose metadata
 * says `forgotten: true`, which clears what this browser keeps too).
 *
 * A reply is marked urgent only when its metadata says `urgent: true`, never
 * because of its text. valtrex-chat.js loads this file beside it.
 */
(function () {
  "use strict";

  var parts = (window.ValtrexChatParts = window.ValtrexChatParts || {});

  parts.connection = function (chat) {
    var options = chat.options;
    var keys = chat.keys;
    var socket = null; // null, "loading" (socket.io being fetched), then the socket
    var ready = false; // connected and the session confirmed

    // displayText null: nothing shown (a vote is shown on its answer instead).
    function send(displayText, payload) {
      if (displayText !== null) chat.addMessage({ from: "user", text: displayText, pending: !ready || undefined });
      chat.outbox.push(payload);
      chat.writeJson(chat.local, keys.outbox, chat.outbox);
      connect();
      flush();
    }

    // The widget's language goes with every message (the toggle's switch included).
    function emitUser(message) {
      socket.emit("user_uttered", { message: message, session_id: chat.sessionId, metadata: { language: chat.language } });
      chat.showTyping();
    }

    function flush() {
      if (!ready || !socket || !socket.connected) return;
      while (chat.outbox.length) emitUser(chat.outbox.shift());
      chat.removeKey(chat.local, keys.outbox);
      chat.markSent();
    }

    function onSessionConfirm(payload) {
      var confirmed = chat.validSessionId(typeof payload === "string" ? payload : payload && payload.session_id);
      if (!confirmed) return;
      var fresh = !chat.sessionId;
      chat.sessionId = confirmed;
      try { chat.local.setItem(keys.session, confirmed); } catch (error) { /* memory only */ }
      ready = true;
      chat.setStatus("");
      if (fresh && chat.history.length === 0 && chat.outbox.length === 0 &&
          typeof options.initialMessage === "string" && options.initialMessage) {
        emitUser(chat.withLanguage(options.initialMessage));
      }
      flush();
    }

    function onBotUttered(data) {
      if (!data || typeof data !== "object") return;
      chat.hideTyping();
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
      if (typeof data.utter_action === "string" && chat.ANSWER_NAME.test(data.utter_action)) message.answer = data.utter_action;
      // Every Spanish reply says so; an English one says nothing.
      message.language = chat.validLanguage(metadata.language) || "en";
      chat.setLanguage(message.language);
      if (metadata.forgotten === true) return forgetHere(message);
      chat.addMessage(message);
    }

    function loadSocketIo(callback) {
      if (typeof window.io === "function") return callback();
      chat.loadScript(options.socketIoUrl, "data-valtrex-chat-socketio", callback, "unreachable");
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
          socket.emit("session_request", { session_id: chat.sessionId });
        });
        socket.on("session_confirm", onSessionConfirm);
        socket.on("bot_uttered", onBotUttered);
        socket.on("disconnect", function (reason) {
          ready = false;
          chat.hideTyping();
          if (reason === "io client disconnect") return; // "New chat": we reconnect at once
          chat.setStatus("offline");
          // The server closed this socket on purpose: socket.io won't retry by itself.
          if (reason === "io server disconnect") socket.connect();
        });
        socket.on("connect_error", function () {
          ready = false;
          chat.setStatus(chat.history.length ? "offline" : "unreachable");
        });
      });
    }

    // The assistant deleted the conversation: this browser forgets it too (history,
    // queue, session id) and keeps only the confirmation, in a new session.
    function forgetHere(confirmation) {
      startOver([{ from: "bot", text: confirmation.text, language: confirmation.language }]);
      chat.saveHistory();
    }

    function startOver(keep) {
      chat.history = keep;
      chat.outbox = [];
      chat.sessionId = null;
      chat.removeKey(chat.local, keys.history);
      chat.removeKey(chat.local, keys.outbox);
      chat.removeKey(chat.local, keys.session);
      chat.hideTyping();
      chat.renderAll();
      if (socket && socket !== "loading") {
        // A fresh connection asks for a fresh session and leaves the old one's room.
        ready = false;
        socket.disconnect();
        socket.connect();
      } else {
        connect();
      }
    }

    Object.assign(chat, { send: send, connect: connect, startOver: startOver });
  };
})();
