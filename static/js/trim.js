// Trim step: a range control over the clip's start, kept in step with the start-time field
// and the frame radio buttons; the frames inside the 5 seconds kept are highlighted and the
// frame nearest the start is shown large. Without scripts the radio buttons and the field do
// the same job (the field wins when both are given, so this keeps the field filled in).
(function () {
  "use strict";

  function setUp(form) {
    var panel = form.querySelector("[data-trim-range]");
    var range = panel && panel.querySelector('input[type="range"]');
    var field = form.querySelector('input[name="start"]');
    var frames = Array.prototype.slice.call(form.querySelectorAll("[data-trim-frame]"));
    var preview = form.querySelector("[data-trim-preview]");
    var caption = form.querySelector("[data-trim-caption]");
    if (!range || !field || !frames.length) return;
    var clipLength = parseFloat(form.dataset.window) || 5;
    var maxStart = parseFloat(range.max) || 0;
    panel.hidden = false;

    function timeOf(frame) {
      return parseFloat(frame.dataset.time);
    }

    function tenths(value) {
      return String(Math.round(value * 10) / 10);
    }

    function show(start) {
      var nearest = frames[0];
      frames.forEach(function (frame) {
        var time = timeOf(frame);
        // A frame is in the window from the start (less a rounding margin) to 5 s after it.
        var inside = time >= start - 0.05 && time < start + clipLength;
        frame.classList.toggle("trim-frame--in-window", inside);
        if (Math.abs(time - start) < Math.abs(timeOf(nearest) - start)) nearest = frame;
      });
      preview.src = nearest.querySelector("img").src;
      var text = form.dataset.caption
        .replace("{start}", tenths(start))
        .replace("{end}", tenths(start + clipLength));
      caption.textContent = text;
      range.setAttribute("aria-valuetext", text);
    }

    function checkFrameAt(value) {
      frames.forEach(function (frame) {
        frame.querySelector('input[type="radio"]').checked = timeOf(frame) === value;
      });
    }

    range.addEventListener("input", function () {
      var value = parseFloat(range.value);
      field.value = range.value;
      checkFrameAt(value);
      show(value);
    });
    field.addEventListener("input", function () {
      var value = parseFloat(field.value);
      if (isNaN(value)) return;
      range.value = String(Math.min(Math.max(value, 0), maxStart));
      checkFrameAt(value);
      show(value);
    });
    form.addEventListener("change", function (event) {
      if (event.target.type !== "radio") return;
      field.value = event.target.value;
      range.value = event.target.value;
      show(parseFloat(event.target.value));
    });

    // Start from what the page holds (after a refused value too: nothing is lost).
    var typed = parseFloat(field.value);
    var checked = form.querySelector('input[type="radio"]:checked');
    var start = !isNaN(typed) ? typed : checked ? parseFloat(checked.value) : 0;
    range.value = String(Math.min(Math.max(start, 0), maxStart));
    if (isNaN(typed)) field.value = tenths(start);
    show(start);
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form[data-trim-form]").forEach(setUp);
  });
})();
