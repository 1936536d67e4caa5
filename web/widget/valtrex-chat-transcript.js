/*!
 * Valtrex info assistant: the printable transcript, to take to an appointment.
 * valtrex-chat.js loads this file beside it and calls
 * window.ValtrexChatTranscript.render(win, messages, options) with a window it
 * has just opened, the page's words in the widget's language (options.words,
 * from valtrex-chat-strings.js) and that language (options.language). The page is built in that window from the conversation kept in
 * this browser: nothing is sent anywhere. Every message is inserted as text.
 * "Print / Save as PDF" (the browser's print dialog) gives a tidy page.
 */
(function () {
  "use strict";

  var SOURCE_LINE = /^(Source|Fuente):/;

  var CSS = [
    "body { margin: 0 auto; max-width: 46em; padding: 24px; font: 16px/1.5 Georgia, 'Times New Roman', serif; color: #111; }",
    "h1 { font: 700 24px/1.25 system-ui, sans-serif; margin: 0 0 4px; }",
    "h2 { font: 700 18px/1.3 system-ui, sans-serif; margin: 24px 0 8px; }",
    ".meta { color: #333; margin: 0 0 12px; }",
    ".note { border-left: 4px solid #8a6d00; padding: 6px 12px; background: #fff6d8; }",
    ".actions { margin: 12px 0; }",
    ".actions button { font: 600 15px system-ui, sans-serif; padding: 8px 14px; border: 1px solid #0b4f8a; border-radius: 8px; background: #0b4f8a; color: #fff; cursor: pointer; }",
    "ol.turns { list-style: none; margin: 0; padding: 0; }",
    ".turn { margin: 0 0 12px; padding: 8px 12px; border: 1px solid #c9d1da; border-radius: 8px; break-inside: avoid; page-break-inside: avoid; }",
    ".turn--user { background: #eef3f8; }",
    ".turn--urgent { border: 2px solid #b3261e; }",
    ".who { display: block; font: 700 13px system-ui, sans-serif; text-transform: uppercase; letter-spacing: 0.03em; color: #333; }",
    ".text { white-space: pre-wrap; margin: 2px 0 0; }",
    ".source { display: block; margin-top: 4px; font-style: italic; color: #333; }",
    "dl.help { display: grid; grid-template-columns: max-content 1fr; gap: 4px 16px; margin: 0; }",
    "dl.help dt { font-weight: 700; }",
    "dl.help dd { margin: 0; }",
    "@media print {",
    "  @page { margin: 18mm 16mm; }",
    "  body { max-width: none; padding: 0; font-size: 11.5pt; }",
    "  .actions { display: none; }",
    "  .turn { border-color: #999; }",
    "  .turn--user, .note { background: none; }",
    "  h2 { break-after: avoid; page-break-after: avoid; }",
    "}",
  ].join("\n");

  function render(win, messages, options) {
    var doc = win.document;
    var words = options.words;
    var title = words.title.replace("{title}", options.title || "");
    doc.open();
    doc.close();
    doc.documentElement.setAttribute("lang", options.language || "en");
    doc.title = title;

    function el(tag, className, text) {
      var node = doc.createElement(tag);
      if (className) node.className = className;
      if (text !== undefined) node.textContent = text;
      return node;
    }

    var meta = doc.createElement("meta");
    meta.setAttribute("charset", "utf-8");
    doc.head.appendChild(meta);
    var style = doc.createElement("style");
    style.textContent = CSS;
    doc.head.appendChild(style);

    var body = doc.body;
    body.appendChild(el("h1", null, title));
    var now = options.now ? new Date(options.now) : new Date();
    body.appendChild(el("p", "meta", words.printedOn.replace("{date}", now.toLocaleDateString(words.locale,
      { year: "numeric", month: "long", day: "numeric" }))));
    body.appendChild(el("p", "note", options.disclaimer));

    var actions = el("p", "actions");
    var print = el("button", null, words.print);
    print.type = "button";
    print.addEventListener("click", function () { win.print(); });
    actions.appendChild(print);
    body.appendChild(actions);

    body.appendChild(el("h2", null, words.turns));
    var list = el("ol", "turns");
    messages.forEach(function (message) {
      if (!message.text) return;
      var item = el("li", "turn turn--" + message.from + (message.urgent ? " turn--urgent" : ""));
      item.appendChild(el("span", "who", message.from === "user" ? words.youAsked :
        message.urgent ? words.assistantUrgent : words.assistant));
      var text = el("p", "text");
      if (message.language) text.setAttribute("lang", message.language);
      message.text.split("\n").forEach(function (line, index) {
        if (index > 0) text.appendChild(doc.createTextNode("\n"));
        if (message.from === "bot" && SOURCE_LINE.test(line)) text.appendChild(el("span", "source", line));
        else text.appendChild(doc.createTextNode(line));
      });
      item.appendChild(text);
      list.appendChild(item);
    });
    if (!list.firstChild) list.appendChild(el("li", "turn", words.empty));
    body.appendChild(list);

    body.appendChild(el("h2", null, words.helpLines));
    var help = el("dl", "help");
    words.help.forEach(function (line) {
      help.appendChild(el("dt", null, line[0]));
      help.appendChild(el("dd", null, line[1]));
    });
    body.appendChild(help);
    win.focus();
  }

  window.ValtrexChatTranscript = { render: render };
})();
