// Microvid's social layer: live like counts, comments, the unread badge and the analytics page's
// live counters over WebSockets, double-tap to like, the comment character counter, and share
// recording. Everything here is an enhancement:
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

  // A frame carries the fragments of one event: {"type": "fragments", "items": [...]}.
  function applyFrame(message) {
    if (!message || message.type !== "fragments" || !Array.isArray(message.items)) return;
    message.items.forEach(apply);
  }

  function apply(message) {
    if (!message || !OPS[message.op] || typeof message.target !== "string") return;
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
      applyFrame(message);
    });
    socket.addEventListener("close", function () {
      var wasLive = live[path];
      live[path] = false;
      if (pinger) window.clearInterval(pinger);
      // Refused at the door (no access) or gone: retry with backoff, polling meanwhile.
      // With jitter, so that a thousand viewers dropped at once do not return at once.
      var delay = Math.min(MAX_BACKOFF_MS, 1000 * Math.pow(2, attempt || 0)) * (0.5 + Math.random());
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
      // A region fed by two sockets (the analytics page's live counters) polls while either is down.
      var stats = element.closest("[data-live-stats]");
      if (stats && !live[stats.dataset.liveStats]) return true;
      var owner = element.closest("[data-live-video]");
      return !(owner && live[videoPath(owner.dataset.liveVideo)]);
    },
    isLive: function (path) { return !!live[path]; },
    apply: applyFrame
  };
  // Polls (hx-trigger="every Ns" data-poll) ask first; a filter in hx-trigger would need
  // eval, which the Content-Security-Policy refuses.
  document.addEventListener("htmx:confirm", function (event) {
    var element = event.target;
    if (element.hasAttribute && element.hasAttribute("data-poll") && event.detail.verb === "get" &&
        !window.MicrovidSocial.shouldPoll(element)) {
      event.preventDefault();
    }
  });

  function start() {
    var seen = {};
    document.querySelectorAll("[data-live-video]").forEach(function (element) {
      var path = videoPath(element.dataset.liveVideo);
      if (!seen[path]) { seen[path] = true; connect(path, 0); }
    });
    document.querySelectorAll("[data-live-stats]").forEach(function (element) {
      var path = element.dataset.liveStats;
      if (path.indexOf("/ws/") === 0 && !seen[path]) { seen[path] = true; connect(path, 0); }
    });
    if (document.getElementById("notification-badge")) connect("/ws/notifications/", 0);
  }

  // Double-click (mouse) or double-tap (touch) on a player likes its video; it never takes a
  // like back. A single click stays the player's own (play or pause, player.js), and so do its
  // controls and keyboard shortcuts: only the picture itself listens here.
  var DOUBLE_TAP_MS = 300;
  var DOUBLE_TAP_PX = 40;
  var reducedMotion = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)");

  function likeForm(videoId) {
    var forms = document.querySelectorAll("form[data-like-form]");
    for (var i = 0; i < forms.length; i++) {
      if (forms[i].dataset.videoId === videoId) return forms[i];
    }
    return null;
  }

  function showHeart(player, x, y) {
    var frame = player.querySelector(".player-frame") || player;
    var box = frame.getBoundingClientRect();
    var heart = document.createElement("span");
    heart.className = "like-burst";
    heart.setAttribute("aria-hidden", "true");
    heart.innerHTML = '<svg viewBox="0 0 24 24"><path d="M12 21s-7.5-4.6-9.6-9.3C.9 8.3 3 4.5 6.6 4.5c2.1 0 3.6 1.1 4.4 2.6.8-1.5 2.3-2.6 4.4-2.6 3.6 0 5.7 3.8 4.2 7.2C19.5 16.4 12 21 12 21z"/></svg>';
    // Where the viewer tapped (the middle for events without a position).
    var left = typeof x === "number" && box.width ? x - box.left : box.width / 2;
    var top = typeof y === "number" && box.height ? y - box.top : box.height / 2;
    heart.style.left = left + "px";
    heart.style.top = top + "px";
    frame.appendChild(heart);
    var still = reducedMotion && reducedMotion.matches;
    window.setTimeout(function () { heart.remove(); }, still ? 600 : 900);
  }

  function likeFromPlayer(player, x, y) {
    if (!player || !player.dataset.videoId) return;
    // A double-tap can arrive twice (our touch detection, then the browser's dblclick).
    var now = Date.now();
    if (player.socialLikedAt && now - player.socialLikedAt < 800) return;
    player.socialLikedAt = now;
    var form = likeForm(player.dataset.videoId);
    if (!form) return; // not signed in: the "Log in to like" link says what to do
    showHeart(player, x, y);
    if (form.dataset.liked === "true") return;
    form.dataset.liked = "true"; // a third tap before the answer must not unlike
    if (form.requestSubmit) form.requestSubmit(); else form.submit();
  }

  function onPicture(event) {
    var target = event.target;
    if (!target.closest) return null;
    if (target.closest("[data-controls], [data-error], button, a, input")) return null;
    return target.closest("[data-player]");
  }

  // Caught on the way down and not passed on: a double-click on the picture is ours alone
  // (player.js's own dblclick handler only re-announces it, and the browser's default would be
  // full screen).
  document.addEventListener("dblclick", function (event) {
    var player = onPicture(event);
    if (!player) return;
    event.preventDefault();
    event.stopPropagation();
    likeFromPlayer(player, event.clientX, event.clientY);
  }, true);
  // player.js (or anything else) may announce a double-tap itself.
  document.addEventListener("player:doubletap", function (event) {
    var player = event.target.closest && event.target.closest("[data-player]");
    if (player) likeFromPlayer(player);
  });
  // Touch screens: two taps close in time and place (not every mobile browser sends dblclick).
  var lastTap = null;
  document.addEventListener("pointerup", function (event) {
    if (event.pointerType !== "touch") return;
    var player = onPicture(event);
    if (!player) { lastTap = null; return; }
    var tap = { player: player, x: event.clientX, y: event.clientY, at: event.timeStamp };
    if (lastTap && lastTap.player === player && tap.at - lastTap.at < DOUBLE_TAP_MS &&
        Math.abs(tap.x - lastTap.x) < DOUBLE_TAP_PX && Math.abs(tap.y - lastTap.y) < DOUBLE_TAP_PX) {
      lastTap = null;
      likeFromPlayer(player, tap.x, tap.y);
    } else {
      lastTap = tap;
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


  // The video page's comments: a bottom sheet on a phone, opened by the rail's Comments
  // button (a plain link to the comments section without scripts). Escape or Close shuts it and
  // gives focus back to the button.
  var phone = window.matchMedia && window.matchMedia("(max-width: 39.99rem)");
  var sheetOpener = null;

  function sheetPanel() { return document.querySelector("[data-comments-panel]"); }

  function setUpSheet() {
    var panel = sheetPanel();
    if (!panel) return;
    panel.setAttribute("data-sheet", "");
    var close = panel.querySelector("[data-close-comments]");
    if (close) close.hidden = false;
  }

  function openSheet(opener) {
    var panel = sheetPanel();
    if (!panel || !phone || !phone.matches) return false;
    sheetOpener = opener;
    panel.classList.add("is-open");
    var box = panel.querySelector("textarea");
    var heading = panel.querySelector("h2");
    if (heading && !box) { heading.setAttribute("tabindex", "-1"); heading.focus(); }
    else if (box) box.focus();
    return true;
  }

  function closeSheet() {
    var panel = sheetPanel();
    if (!panel || !panel.classList.contains("is-open")) return;
    panel.classList.remove("is-open");
    if (sheetOpener) sheetOpener.focus();
    sheetOpener = null;
  }

  document.addEventListener("click", function (event) {
    var target = event.target.closest ? event.target : null;
    if (!target) return;
    var opener = target.closest("[data-open-comments]");
    if (opener && openSheet(opener)) { event.preventDefault(); return; }
    if (target.closest("[data-close-comments]")) { event.preventDefault(); closeSheet(); return; }
    var copy = target.closest("[data-copy]");
    if (copy) { copyValue(copy); return; }
    var native = target.closest("[data-share-native]");
    if (native && navigator.share) {
      navigator.share({ title: native.dataset.shareTitle, url: native.dataset.shareUrl })
        .then(function () { recordShare(native); }, function () { /* dismissed: no share */ });
    }
  });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    closeSheet();
    // Escape also closes an open rail menu (Share, More), back on its summary.
    var menu = event.target.closest && event.target.closest("details[open].rail__menu, details[open].account-menu");
    if (menu) { menu.open = false; menu.querySelector("summary").focus(); }
  });

  // Share: Copy buttons (the fields stay selectable without scripts) and the system share sheet.
  function copyValue(button) {
    var field = document.getElementById(button.dataset.copy);
    var status = button.closest("[data-share]") && button.closest("[data-share]").querySelector("[data-copy-status]");
    if (!field) return;
    function say(ok) {
      if (status) status.textContent = ok ? status.dataset.labelCopied : status.dataset.labelFailed;
      if (!ok) { field.focus(); field.select(); }
    }
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(field.value).then(function () { say(true); recordShare(button); }, function () { say(false); });
    } else {
      field.select();
      var ok = false;
      try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
      say(ok);
      if (ok) recordShare(button);
    }
  }

  // A copied link or embed code, or a completed system share, is a share for the creator's
  // analytics: one `share` watch event, sent like the player's (the server de-duplicates per
  // viewer per hour; a share typed out of the field by hand cannot be seen).
  function recordShare(control) {
    var box = control.closest("[data-share]");
    if (!box || !box.dataset.shareEventsUrl || !box.dataset.shareVideo) return;
    var token = "";
    try { token = JSON.parse(document.body.getAttribute("hx-headers"))["X-CSRFToken"]; } catch (e) { token = ""; }
    var body = new FormData();
    body.append("csrfmiddlewaretoken", token);
    body.append("batch", JSON.stringify([{ video: box.dataset.shareVideo, kind: "share" }]));
    var url = box.dataset.shareEventsUrl;
    if (!(navigator.sendBeacon && navigator.sendBeacon(url, body))) {
      window.fetch(url, { method: "POST", body: body, credentials: "same-origin", keepalive: true }).catch(function () {});
    }
  }

  function setUpShare() {
    document.querySelectorAll("[data-copy]").forEach(function (button) { button.hidden = false; });
    if (navigator.share) {
      document.querySelectorAll("[data-share-native]").forEach(function (button) { button.hidden = false; });
    }
  }

  // After htmx swaps a control (like, follow), focus goes back to the control with the same id.
  var focusedId = null;
  document.addEventListener("htmx:beforeSwap", function () {
    var active = document.activeElement;
    focusedId = active && active.id ? active.id : null;
  });
  document.addEventListener("htmx:afterSettle", function () {
    if (!focusedId) return;
    var again = document.getElementById(focusedId);
    if (again && document.activeElement !== again) again.focus();
    focusedId = null;
  });

  function ready() { start(); setUpSheet(); setUpShare(); }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", ready);
  else ready();
})();
