// Watch mode: a vertical, full-screen feed. The video in view plays (muted autoplay rules of
// the player), the others pause, the next one starts loading, and j/k or the up/down arrows
// move between videos. Without scripts it is a plain list of players with native controls.
(function () {
  "use strict";

  var MIN_WATCH_MS = 1000; // left sooner than this: a skip

  function items(feed) { return Array.prototype.slice.call(feed.querySelectorAll(".watch-item")); }

  function setUp(feed) {
    if (feed.dataset.feedReady) return;
    feed.dataset.feedReady = "1";
    var current = null;
    var shownAt = 0;

    function show(item) {
      if (item === current) return;
      if (current) {
        var previous = window.MicrovidPlayer.get(current.querySelector("[data-player]"));
        if (previous) {
          if (performance.now() - shownAt < MIN_WATCH_MS) previous.track("skip");
          previous.pause();
        }
      }
      current = item;
      shownAt = performance.now();
      var player = window.MicrovidPlayer.get(item.querySelector("[data-player]"));
      player.activate();
      player.video.preload = "auto";
      if (window.MicrovidPlayer.autoplayAllowed()) player.play();
      // Start loading the next video so that it is ready when it comes into view.
      var next = item.nextElementSibling;
      var nextVideo = next && next.querySelector && next.querySelector("video");
      if (nextVideo && nextVideo.preload === "none") {
        nextVideo.preload = "auto";
        nextVideo.load();
      }
    }

    var observer = new IntersectionObserver(function (entries) {
      entries.forEach(function (entry) {
        if (entry.isIntersecting && entry.intersectionRatio >= 0.6) show(entry.target);
      });
    }, { threshold: [0.6] });
    function observeAll() { items(feed).forEach(function (item) { observer.observe(item); }); }
    observeAll();
    // More items arrive by infinite scroll.
    document.body.addEventListener("htmx:afterSwap", function () {
      window.MicrovidPlayer.enhanceAll(feed);
      observeAll();
    });

    function move(step) {
      var list = items(feed);
      var index = list.indexOf(current);
      var target = list[Math.max(0, Math.min(list.length - 1, index + step))];
      if (!target) return;
      var reduced = window.matchMedia("(prefers-reduced-motion: reduce)").matches;
      target.scrollIntoView({ behavior: reduced ? "auto" : "smooth", block: "start" });
      show(target);
      var more = feed.querySelector(".feed-more");
      if (step > 0 && more && index + step >= list.length - 1) more.click();
    }

    // Capture phase, before the player's own shortcuts: here up/down move between videos.
    window.addEventListener("keydown", function (event) {
      if (event.ctrlKey || event.metaKey || event.altKey) return;
      var tag = event.target && event.target.tagName ? event.target.tagName.toLowerCase() : "";
      if (tag === "input" || tag === "textarea" || tag === "select" || event.target.isContentEditable) return;
      var step = { j: 1, J: 1, ArrowDown: 1, k: -1, K: -1, ArrowUp: -1 }[event.key];
      if (!step) return;
      event.preventDefault();
      move(step);
    }, true);
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-watch-feed]").forEach(setUp);
  });
})();
