// Microvid's player. Enhances every [data-player] figure whose <video> already plays the MP4
// without scripts: labelled controls, keyboard shortcuts, muted autoplay, loading and error
// states, the adaptive HLS ladder from the first loop on, and batched watch events.
(function () {
  "use strict";

  var PREFS_KEY = "microvid.player";
  var SPINNER_DELAY_MS = 400;
  var reducedMotion = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  var players = [];
  var activePlayer = null;

  // Muted autoplay unless the viewer has said otherwise; never under reduced motion until
  // the viewer presses play. The same rule runs inline right after each <video> (see
  // _player.html) so that playback starts before any script file has arrived.
  function autoplayAllowed() {
    return loadPrefs().autoplay !== false && !reducedMotion;
  }
  function shouldAutoplay(root) {
    // In a feed, the feed decides which player plays (the one in view).
    return autoplayAllowed() && root.dataset.autoplay !== "feed";
  }

  // --- preferences (the viewer's own choices, remembered in this browser) ----------------
  function loadPrefs() {
    try { return JSON.parse(window.localStorage.getItem(PREFS_KEY)) || {}; } catch (e) { return {}; }
  }
  function savePrefs(changes) {
    var prefs = loadPrefs();
    Object.keys(changes).forEach(function (key) { prefs[key] = changes[key]; });
    try { window.localStorage.setItem(PREFS_KEY, JSON.stringify(prefs)); } catch (e) { /* private mode */ }
  }

  // --- watch events, sent in batches ------------------------------------------------------
  var queue = [];
  var eventsUrl = null;

  function csrfToken() {
    try { return JSON.parse(document.body.getAttribute("hx-headers"))["X-CSRFToken"]; } catch (e) { return ""; }
  }
  // Where the viewer found this video (docs/analytics.md, "traffic source"): a feed player
  // is on the surface it shows; the watch page was reached from the page before it, or from
  // outside (a shared link or an embed). A ?from= parameter on the link says it outright.
  var SOURCES = ["for_you", "following", "profile", "search", "hashtag", "link", "watch", "other"];
  function surfaceOf(path) {
    if (path === "/" || path === "") return "for_you";
    if (path === "/following") return "following";
    if (path.indexOf("/tag/") === 0) return "hashtag";
    if (path.indexOf("/search") === 0) return "search";
    if (path.indexOf("/@") === 0) return "profile";
    if (path.indexOf("/v/") === 0) return "watch";
    return "other";
  }
  function trafficSource(root) {
    var given = root.dataset.source || new URLSearchParams(window.location.search).get("from");
    if (given && SOURCES.indexOf(given) !== -1) return given;
    if (root.dataset.autoplay === "feed") return surfaceOf(window.location.pathname);
    var referrer = null;
    try { referrer = document.referrer ? new URL(document.referrer) : null; } catch (e) { referrer = null; }
    if (!referrer || referrer.origin !== window.location.origin) return "link";
    return surfaceOf(referrer.pathname);
  }
  function track(player, kind, extra) {
    if (!player.eventsUrl) return;
    eventsUrl = player.eventsUrl;
    var event = {
      video: player.videoId, kind: kind, source: player.source,
      position_ms: Math.round(player.video.currentTime * 1000),
    };
    if (extra) Object.keys(extra).forEach(function (key) { event[key] = extra[key]; });
    queue.push(event);
    if (queue.length >= 25) flush();
  }
  function flush() {
    players.forEach(function (player) { player.reportWatchTime(); });
    if (!queue.length || !eventsUrl) return;
    var body = new FormData();
    body.append("csrfmiddlewaretoken", csrfToken());
    // No viewer id: the server issues its own, in a signed cookie sent with the beacon.
    body.append("batch", JSON.stringify(queue.splice(0, 50)));
    if (!(navigator.sendBeacon && navigator.sendBeacon(eventsUrl, body))) {
      window.fetch(eventsUrl, { method: "POST", body: body, credentials: "same-origin", keepalive: true });
    }
  }
  window.setInterval(flush, 10000);
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") flush();
  });
  window.addEventListener("pagehide", function () {
    players.forEach(function (player) { player.leave(); });
    flush();
  });

  // --- one player ---------------------------------------------------------------------------
  function Player(root) {
    this.root = root;
    this.video = root.querySelector("video");
    this.controls = root.querySelector("[data-controls]");
    this.spinner = root.querySelector("[data-spinner]");
    this.errorPanel = root.querySelector("[data-error]");
    this.videoId = root.dataset.videoId;
    this.hlsUrl = root.dataset.hls;
    this.eventsUrl = root.dataset.eventsUrl || null;
    this.mp4Url = this.video.getAttribute("src");
    this.hls = null;
    this.usingHls = false;
    this.watchedMs = 0;
    this.lastTick = null;
    this.spinnerTimer = null;
    this.impressed = false;
    this.played = false;
    this.loops = 0;
    this.left = false;
    this.source = trafficSource(root);
    this.setUp();
  }

  Player.prototype.button = function (action) {
    return this.root.querySelector('[data-action="' + action + '"]');
  };

  Player.prototype.setUp = function () {
    var self = this;
    var video = this.video;
    var prefs = loadPrefs();

    // Our controls replace the browser's; looping is ours too, to count loops and to switch
    // to the adaptive stream at a loop boundary.
    video.controls = false;
    video.loop = false;
    this.controls.hidden = false;
    this.loop = prefs.loop !== false;
    video.muted = prefs.muted !== false;
    if (typeof prefs.volume === "number") video.volume = prefs.volume;

    this.controls.addEventListener("click", function (event) {
      var target = event.target.closest("[data-action]");
      if (!target) return;
      self.activate();
      self.perform(target.dataset.action);
    });
    this.errorPanel.querySelector('[data-action="retry"]').addEventListener("click", function () {
      self.retry();
    });
    this.button("seek").addEventListener("input", function (event) {
      if (video.duration) video.currentTime = (event.target.value / 100) * video.duration;
    });
    this.button("volume").addEventListener("input", function (event) {
      video.volume = Number(event.target.value);
      video.muted = video.volume === 0;
      savePrefs({ volume: video.volume, muted: video.muted });
    });
    video.addEventListener("click", function () { self.activate(); self.toggle(); });
    video.addEventListener("dblclick", function (event) {
      // Double-click likes (the social feature listens); it must not also toggle twice.
      event.preventDefault();
      self.root.dispatchEvent(new CustomEvent("player:doubletap", { bubbles: true }));
    });

    ["play", "pause", "volumechange"].forEach(function (type) {
      video.addEventListener(type, function () { self.render(); });
    });
    video.addEventListener("playing", function () {
      self.hideSpinner();
      self.lastTick = performance.now();
      if (!self.played) { self.played = true; self.left = false; track(self, "play"); self.afterFirstFrame(); }
    });
    video.addEventListener("pause", function () { self.reportWatchTime(); });
    video.addEventListener("waiting", function () { self.showSpinnerSoon(); });
    video.addEventListener("timeupdate", function () {
      if (video.duration) self.button("seek").value = (video.currentTime / video.duration) * 100;
      self.tickWatchTime();
    });
    video.addEventListener("ended", function () { self.ended(); });
    video.addEventListener("error", function () { if (!self.usingHls) self.showError(); });

    this.observeVisibility();
    this.render();
    // The MP4 starts loading with the page, before this script: it may have failed already,
    // or the inline start-up script (window.MicrovidStart) may have started it playing.
    if (video.error) { this.showError(); return; }
    if (video.paused && this.shouldAutoplay()) this.play();
  };

  Player.prototype.shouldAutoplay = function () {
    return shouldAutoplay(this.root);
  };

  Player.prototype.play = function () {
    var self = this;
    var attempt = this.video.play();
    if (attempt && attempt.catch) {
      attempt.catch(function (error) {
        // Browsers refuse autoplay with sound until the viewer interacts: play muted then.
        if (error && error.name === "NotAllowedError" && !self.video.muted) {
          self.video.muted = true;
          self.video.play().catch(function () { self.render(); });
        }
      });
    }
  };

  Player.prototype.toggle = function () {
    if (this.video.paused) {
      this.play();
    } else {
      this.video.pause();
    }
  };

  Player.prototype.perform = function (action) {
    var video = this.video;
    switch (action) {
      case "play": this.toggle(); break;
      case "mute":
        video.muted = !video.muted;
        if (!video.muted && video.volume === 0) video.volume = 0.5;
        savePrefs({ muted: video.muted });
        break;
      case "loop":
        this.loop = !this.loop;
        savePrefs({ loop: this.loop });
        break;
      case "autoplay":
        savePrefs({ autoplay: loadPrefs().autoplay === false });
        break;
      case "captions": this.toggleCaptions(); break;
      case "fullscreen": this.toggleFullscreen(); break;
    }
    this.render();
  };

  Player.prototype.toggleCaptions = function () {
    var track = this.video.textTracks && this.video.textTracks[0];
    if (!track) return;
    track.mode = track.mode === "showing" ? "hidden" : "showing";
    savePrefs({ captions: track.mode === "showing" });
  };

  Player.prototype.toggleFullscreen = function () {
    var self = this;
    if (document.fullscreenElement) {
      document.exitFullscreen().finally(function () { self.render(); });
    } else if (this.root.requestFullscreen) {
      this.root.requestFullscreen().catch(function () {}).finally(function () { self.render(); });
    } else if (this.video.webkitEnterFullscreen) {
      this.video.webkitEnterFullscreen();
    }
  };

  Player.prototype.seekBy = function (seconds) {
    var video = this.video;
    if (!video.duration) return;
    video.currentTime = Math.max(0, Math.min(video.duration, video.currentTime + seconds));
  };

  Player.prototype.changeVolume = function (delta) {
    var video = this.video;
    video.volume = Math.max(0, Math.min(1, Math.round((video.volume + delta) * 20) / 20));
    video.muted = video.volume === 0;
    savePrefs({ volume: video.volume, muted: video.muted });
  };

  Player.prototype.render = function () {
    var video = this.video;
    var play = this.button("play");
    play.setAttribute("aria-label", video.paused ? play.dataset.labelPlay : play.dataset.labelPause);
    this.root.classList.toggle("is-playing", !video.paused);
    this.button("mute").setAttribute("aria-pressed", String(video.muted));
    this.button("volume").value = video.muted ? 0 : video.volume;
    this.button("loop").setAttribute("aria-pressed", String(this.loop));
    this.button("autoplay").setAttribute("aria-pressed", String(loadPrefs().autoplay !== false));
    var captions = this.button("captions");
    if (captions) {
      var track = video.textTracks && video.textTracks[0];
      captions.setAttribute("aria-pressed", String(!!track && track.mode === "showing"));
    }
    var fullscreen = this.button("fullscreen");
    fullscreen.setAttribute(
      "aria-label",
      document.fullscreenElement === this.root ? fullscreen.dataset.labelExit : fullscreen.dataset.labelEnter
    );
  };

  Player.prototype.showSpinnerSoon = function () {
    var self = this;
    window.clearTimeout(this.spinnerTimer);
    this.spinnerTimer = window.setTimeout(function () { self.spinner.hidden = false; }, SPINNER_DELAY_MS);
  };
  Player.prototype.hideSpinner = function () {
    window.clearTimeout(this.spinnerTimer);
    this.spinner.hidden = true;
  };
  Player.prototype.showError = function () {
    this.hideSpinner();
    this.errorPanel.hidden = false;
    this.root.classList.add("has-error");
  };
  Player.prototype.retry = function () {
    this.errorPanel.hidden = true;
    this.root.classList.remove("has-error");
    this.destroyHls();
    this.video.src = this.mp4Url;
    this.video.load();
    this.play();
  };

  Player.prototype.ended = function () {
    this.reportWatchTime();
    track(this, "complete");
    if (!this.loop) { this.render(); return; }
    this.loops += 1;
    track(this, "loop", { loops: this.loops });
    if (this.hls && !this.usingHls && this.hlsReady) {
      // Loop boundary: switch to the adaptive ladder where nobody can see the change.
      this.usingHls = true;
      this.hls.attachMedia(this.video);
      this.play();
    } else if (!this.hls && this.nativeHls && this.hlsUrl && !this.usingHls) {
      this.usingHls = true;
      this.video.src = this.hlsUrl;
      this.play();
    } else {
      this.video.currentTime = 0;
      this.play();
    }
  };

  // hls.js (120 KB compressed) and the manifest are fetched only once the first frame is on
  // screen: on a slow connection they would otherwise compete with the MP4 for bandwidth.
  var hlsLoading = null;
  function loadHlsLibrary(url) {
    if (window.Hls || !url) return Promise.resolve();
    if (!hlsLoading) {
      hlsLoading = new Promise(function (resolve) {
        var script = document.createElement("script");
        script.src = url;
        script.onload = resolve;
        script.onerror = resolve; // the MP4 keeps playing
        document.head.appendChild(script);
      });
    }
    return hlsLoading;
  }

  // Only once a frame is on screen: nothing may compete with the MP4 before that.
  Player.prototype.afterFirstFrame = function () {
    var self = this;
    var video = this.video;
    if (video.requestVideoFrameCallback) {
      video.requestVideoFrameCallback(function () { self.prepareHls(); });
    } else {
      window.setTimeout(function () { self.prepareHls(); }, 500);
    }
  };

  Player.prototype.prepareHls = function () {
    var self = this;
    if (!this.hlsUrl || this.hls || this.hlsRequested) return;
    this.hlsRequested = true;
    if (!window.MediaSource && this.video.canPlayType("application/vnd.apple.mpegurl")) {
      this.nativeHls = true; // Safari on iOS: its own HLS, no library needed
      return;
    }
    loadHlsLibrary(this.root.dataset.hlsScript).then(function () { self.attachHlsLibrary(); });
  };

  Player.prototype.attachHlsLibrary = function () {
    var self = this;
    if (window.Hls && window.Hls.isSupported()) {
      var hls = new window.Hls({ capLevelToPlayerSize: true, autoStartLoad: true });
      this.hls = hls;
      hls.on(window.Hls.Events.MANIFEST_PARSED, function (event, data) {
        self.hlsReady = true;
        self.root.dataset.hlsLevels = String(data.levels.length);
      });
      hls.on(window.Hls.Events.ERROR, function (event, data) {
        if (!data.fatal) return;
        var wasUsing = self.usingHls;
        self.destroyHls();
        if (wasUsing) { self.video.src = self.mp4Url; self.play(); }
      });
      hls.loadSource(this.hlsUrl);
    } else if (this.video.canPlayType("application/vnd.apple.mpegurl")) {
      this.nativeHls = true;
    }
  };
  Player.prototype.destroyHls = function () {
    if (this.hls) this.hls.destroy();
    this.hls = null;
    this.hlsReady = false;
    this.usingHls = false;
  };

  Player.prototype.tickWatchTime = function () {
    if (this.video.paused || this.lastTick === null) return;
    var now = performance.now();
    this.watchedMs += now - this.lastTick;
    this.lastTick = now;
  };
  Player.prototype.reportWatchTime = function () {
    this.tickWatchTime();
    this.lastTick = this.video.paused ? null : performance.now();
    if (this.watchedMs >= 250) {
      track(this, "watch", { watch_ms: Math.round(this.watchedMs) });
      this.watchedMs = 0;
    }
  };

  // The swipe-away point: where the clip was when the viewer moved on, once per play.
  Player.prototype.leave = function () {
    if (!this.played || this.left) return;
    this.left = true;
    this.reportWatchTime();
    track(this, "leave");
  };

  Player.prototype.observeVisibility = function () {
    var self = this;
    if (!("IntersectionObserver" in window)) { track(this, "impression"); return; }
    new IntersectionObserver(function (entries) {
      entries.forEach(function (entry) {
        if (entry.isIntersecting && !self.impressed) {
          self.impressed = true;
          track(self, "impression");
        } else if (!entry.isIntersecting && self.played) {
          self.leave();
          // Coming back into view and playing again is a new play.
          self.played = false;
        }
      });
    }, { threshold: 0.5 }).observe(this.root);
  };

  Player.prototype.activate = function () { activePlayer = this; };

  // --- keyboard shortcuts -------------------------------------------------------------------
  function typingIn(target) {
    if (!target || !target.tagName) return false;
    var tag = target.tagName.toLowerCase();
    if (tag === "textarea" || tag === "select" || target.isContentEditable) return true;
    if (tag !== "input") return false;
    return ["range", "checkbox", "radio", "button", "submit"].indexOf(target.type) === -1;
  }

  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
    if (typingIn(event.target)) return;
    var player = activePlayer || players[0];
    if (!player) return;
    var onControl = event.target.closest && event.target.closest("button, a, input[type=range]");
    var key = event.key;
    if ((key === " " || key === "Enter") && onControl) return; // the focused control's own action
    if ((key === "ArrowLeft" || key === "ArrowRight" || key === "ArrowUp" || key === "ArrowDown") &&
        event.target.type === "range") return; // sliders move themselves
    var handled = true;
    switch (key) {
      case " ": case "k": case "K": player.toggle(); break;
      case "m": case "M": player.perform("mute"); break;
      case "f": case "F": player.perform("fullscreen"); break;
      case "c": case "C": player.perform("captions"); break;
      case "ArrowLeft": player.seekBy(-1); break;
      case "ArrowRight": player.seekBy(1); break;
      case "ArrowUp": player.changeVolume(0.1); break;
      case "ArrowDown": player.changeVolume(-0.1); break;
      default: handled = false;
    }
    if (handled) { event.preventDefault(); player.render(); }
  });
  document.addEventListener("fullscreenchange", function () {
    players.forEach(function (player) { player.render(); });
  });

  Player.prototype.track = function (kind, extra) { track(this, kind, extra); };
  Player.prototype.pause = function () { this.video.pause(); };

  function enhance(root) {
    if (root.dataset.playerReady) return;
    root.dataset.playerReady = "1";
    var player = new Player(root);
    root.microvidPlayer = player;
    players.push(player);
    root.addEventListener("focusin", function () { player.activate(); });
  }

  window.MicrovidPlayer = {
    enhanceAll: function (scope) {
      (scope || document).querySelectorAll("[data-player]").forEach(enhance);
    },
    get: function (root) { enhance(root); return root.microvidPlayer; },
    autoplayAllowed: autoplayAllowed,
    players: players,
  };

  document.addEventListener("DOMContentLoaded", function () { window.MicrovidPlayer.enhanceAll(); });
  document.addEventListener("htmx:load", function (event) { window.MicrovidPlayer.enhanceAll(event.target); });
})();
