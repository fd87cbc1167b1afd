/*
 * The clinic's chat widget: loads rasa-webchat (served by web/server.py from
 * node_modules/) and connects it to the Rasa server's socket.io channel.
 *
 * A clinic embeds it with one tag; the only setting it changes is data-rasa-url:
 *
 *   <script src="https://assistant.example-clinic.org/chat.js" defer
 *           data-rasa-url="https://rasa.example-clinic.org"></script>
 *
 * Optional: data-title, data-subtitle. Without data-rasa-url the widget talks to
 * port 5005 of the page's own host.
 */
(function () {
  "use strict";

  var script = document.currentScript;
  var settings = script.dataset;
  var base = new URL(".", script.src);
  var rasaUrl = settings.rasaUrl || location.protocol + "//" + location.hostname + ":5005";

  function loadStyles() {
    var href = new URL("widget.css", base).href;
    var present = Array.prototype.some.call(
      document.querySelectorAll('link[rel="stylesheet"]'),
      function (link) { return link.href === href; }
    );
    if (!present) {
      var link = document.createElement("link");
      link.rel = "stylesheet";
      link.href = href;
      document.head.appendChild(link);
    }
  }

  function loadBundle(callback) {
    if (window.WebChat) {
      callback();
      return;
    }
    var bundle = document.createElement("script");
    bundle.src = new URL("vendor/webchat.js", base).href;
    bundle.onload = callback;
    bundle.onerror = function () {
      console.error("The chat widget could not be loaded from " + bundle.src);
    };
    document.head.appendChild(bundle);
  }

  // Rasa's socket.io channel sends each paragraph of an answer as its own message;
  // the last one, "Source: <section>", is shown as the answer's caption.
  var SOURCE_LINE = /^Sources?: /;

  // Only ordinary links may be followed from a bot message (rasa-webchat lets any
  // scheme through, javascript: included).
  var SAFE_LINK = /^(https?:|mailto:|tel:)/i;

  function label(element, text) {
    if (element && element.getAttribute("aria-label") !== text) {
      element.setAttribute("aria-label", text);
    }
  }

  // rasa-webchat leaves some controls without names and its quick replies out of
  // the tab order: fix both whenever it renders.
  function enhance(root) {
    var launcher = root.querySelector(".rw-launcher");
    if (launcher) {
      var open = !!launcher.querySelector(".rw-close-launcher");
      label(launcher, open ? "Close the chat" : "Open the chat");
      launcher.setAttribute("aria-expanded", open ? "true" : "false");
    }
    label(root.querySelector(".rw-close-button"), "Close the chat");
    label(root.querySelector(".rw-new-message"), "Your question");
    label(root.querySelector(".rw-send"), "Send");
    var log = root.querySelector(".rw-messages-container");
    if (log && log.getAttribute("role") !== "log") {
      log.setAttribute("role", "log");
      log.setAttribute("aria-live", "polite");
      log.setAttribute("aria-label", "Conversation");
    }
    root.querySelectorAll("div.rw-reply:not([tabindex])").forEach(function (reply) {
      reply.setAttribute("role", "button");
      reply.setAttribute("tabindex", "0");
    });
    root.querySelectorAll(".rw-response:not(.clinic-checked)").forEach(function (message) {
      message.classList.add("clinic-checked");
      if (SOURCE_LINE.test(message.textContent)) {
        message.classList.add("clinic-source");
      }
    });
    root.querySelectorAll(".rw-response a[href]").forEach(function (link) {
      if (!SAFE_LINK.test(link.getAttribute("href"))) {
        link.removeAttribute("href");
      }
    });
  }

  function onKeyDown(event) {
    var target = event.target;
    if (
      target.classList &&
      target.classList.contains("rw-reply") &&
      target.tagName === "DIV" &&
      (event.key === "Enter" || event.key === " ")
    ) {
      event.preventDefault();
      target.click();
    }
  }

  function mount() {
    var container = document.createElement("div");
    container.id = "clinic-chat";
    document.body.appendChild(container);
    container.addEventListener("keydown", onKeyDown);
    new MutationObserver(function () { enhance(container); }).observe(container, {
      childList: true,
      subtree: true,
    });
    window.WebChat.default(
      {
        socketUrl: rasaUrl,
        socketPath: "/socket.io/",
        // Our action_session_start greets a session opened this way at once.
        initPayload: "/session_start",
        title: settings.title || "Questions about stem cell therapy",
        subtitle: settings.subtitle || "General information, not medical advice",
        inputTextFieldHint: "Type your question…",
        connectingText: "Connecting…",
        // The conversation survives a reload but not closing the tab: safer on a
        // shared computer.
        params: { storage: "session" },
        withRules: false,
        customMessageDelay: function () { return 400; },
      },
      container
    );
  }

  loadStyles();
  loadBundle(mount);
})();
