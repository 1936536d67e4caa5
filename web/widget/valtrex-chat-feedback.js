/*!
 * Valtrex chat widget, part "feedback": "Was this helpful?" under each curated
 * answer (a reply whose `utter_action` names a sub-topic; not under an urgent
 * reply). The vote names the answer and no text:
 * /not_helpful{"answer": "utter_ask_back_pain/kidney_warning"}. One vote per answer, kept
 * with the history. valtrex-chat.js loads this file beside it.
 */
(function () {
  "use strict";

  var parts = (window.ValtrexChatParts = window.ValtrexChatParts || {});

  parts.feedback = function (chat) {
    var el = chat.el;
    var t = chat.t;

    // Two buttons, Yes and No; once voted, both disabled and the chosen one pressed.
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
      if (message.vote || !chat.VOTE_INTENTS.hasOwnProperty(choice)) return;
      message.vote = choice;
      chat.saveHistory();
      group.replaceWith(feedbackFor(message));
      chat.send(null, "/" + chat.VOTE_INTENTS[choice] + JSON.stringify({ answer: message.answer }));
      chat.ui.input.focus();
    }

    chat.feedbackFor = feedbackFor;
  };
})();
