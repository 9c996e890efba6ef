// Microvid's social layer: live like counts, comments and the unread badge over WebSockets,
// double-tap to like, and the comment character counter. Everything here is an enhancement:
// the forms work without scripts, and while a socket is down the regions poll (htmx).
(function () {
  "use strict";

  var OPS = { replace: true, prepend: true, append: true, remove: true };
  var MAX_BACKOFF_MS = 30000;
  var PING_MS = 25000;
  var live = {}; // socket path -> true while connected

  function socketUrl(path) {
    return (window.location.protocol === "https:" ? "wss://" : "ws://") + window.location.host + path;
  }

  function parseHtml(html) {
    var template = document.createElement("template");
    template.innerHTML = html;
    return template.content;
  }

  function activate(element) {
    if (element && window.htmx) window.htmx.process(element);
  }

  function apply(message) {
    if (!message || message.type !== "fragment" || !OPS[message.op] || typeof message.target !== "string") return;
    var target = document.getElementById(message.target);
    if (!target) return;
    if (message.op === "remove") { target.remove(); return; }
    if (typeof message.html !== "string") return;
    if (message.id && document.getElementById(message.id)) return; // already here (our own post)
    var fragment = parseHtml(message.html);
    var first = fragment.firstElementChild;
    if (message.op === "replace") {
      target.replaceWith(fragment);
    } else if (message.op === "prepend") {
      if (target.dataset.liveInsert === "false") return; // an older page or another order
      target.prepend(fragment);
      var empty = target.parentElement && target.parentElement.querySelector(".comments__empty");
      if (empty) empty.remove();
    } else {
      target.append(fragment);
    }
    activate(first);
  }

  function connect(path, attempt) {
    if (!("WebSocket" in window)) return;
    var socket;
    try { socket = new WebSocket(socketUrl(path)); } catch (e) { return; }
    var pinger = null;
    socket.addEventListener("open", function () {
      live[path] = true;
      attempt = 0;
      pinger = window.setInterval(function () { socket.send(JSON.stringify({ type: "ping" })); }, PING_MS);
      document.dispatchEvent(new CustomEvent("social:live", { detail: { path: path } }));
    });
    socket.addEventListener("message", function (event) {
      var message;
      try { message = JSON.parse(event.data); } catch (e) { return; }
      apply(message);
    });
    socket.addEventListener("close", function () {
      var wasLive = live[path];
      live[path] = false;
      if (pinger) window.clearInterval(pinger);
      // Refused at the door (no access) or gone: retry with backoff, polling meanwhile.
      var delay = Math.min(MAX_BACKOFF_MS, 1000 * Math.pow(2, attempt || 0));
      if (wasLive || attempt < 6) window.setTimeout(function () { connect(path, (attempt || 0) + 1); }, delay);
    });
  }

  function videoPath(shortId) { return "/ws/videos/" + encodeURIComponent(shortId) + "/"; }

  window.MicrovidSocial = {
    // htmx asks before each poll: only while the socket is down, and never under the
    // reader's fingers (a reply being typed would be swapped away).
    shouldPoll: function (element) {
      var active = document.activeElement;
      if (active && element.contains(active) && /^(TEXTAREA|INPUT)$/.test(active.tagName)) return false;
      if (element.id === "notification-badge") return !live["/ws/notifications/"];
      var owner = element.closest("[data-live-video]");
      return !(owner && live[videoPath(owner.dataset.liveVideo)]);
    },
    isLive: function (path) { return !!live[path]; },
    apply: apply
  };

  function start() {
    var seen = {};
    document.querySelectorAll("[data-live-video]").forEach(function (element) {
      var path = videoPath(element.dataset.liveVideo);
      if (!seen[path]) { seen[path] = true; connect(path, 0); }
    });
    if (document.getElementById("notification-badge")) connect("/ws/notifications/", 0);
  }

  // Double-tap (or double-click) on a player likes its video; it never takes a like back.
  document.addEventListener("player:doubletap", function (event) {
    var player = event.target.closest && event.target.closest("[data-player]");
    if (!player || !player.dataset.videoId) return;
    var forms = document.querySelectorAll("form[data-like-form]");
    for (var i = 0; i < forms.length; i++) {
      var form = forms[i];
      if (form.dataset.videoId !== player.dataset.videoId) continue;
      if (form.dataset.liked !== "true") {
        if (form.requestSubmit) form.requestSubmit(); else form.submit();
      }
      return;
    }
  });

  // The character counter under comment boxes.
  function updateCounter(textarea) {
    var max = parseInt(textarea.dataset.maxLength, 10);
    var counter = document.querySelector('[data-counter-for="' + textarea.id + '"]');
    if (!max || !counter) return;
    var left = max - textarea.value.length;
    counter.hidden = false;
    counter.classList.toggle("char-counter--over", left < 0);
    counter.textContent = left >= 0
      ? (counter.dataset.labelLeft || "Characters left:") + " " + left
      : (counter.dataset.labelOver || "Characters over the limit:") + " " + (-left);
    // Announced only near and past the limit, not at every keystroke.
    counter.setAttribute("aria-live", left <= 20 ? "polite" : "off");
  }
  document.addEventListener("input", function (event) {
    if (event.target.matches && event.target.matches("textarea[data-max-length]")) updateCounter(event.target);
  });

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
