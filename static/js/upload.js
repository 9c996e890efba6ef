// Upload page: drag-and-drop onto the file field and a real progress bar while the file
// uploads. The form is a plain multipart form; htmx posts it when scripts run.
(function () {
  "use strict";

  function setUp(form) {
    var dropzone = form.querySelector("[data-dropzone]");
    var input = form.querySelector('input[type="file"]');
    var hint = form.querySelector("[data-dropzone-hint]");
    var progress = form.querySelector("[data-upload-progress]");
    if (!dropzone || !input) return;
    if (hint) hint.hidden = false;

    ["dragenter", "dragover"].forEach(function (type) {
      dropzone.addEventListener(type, function (event) {
        event.preventDefault();
        dropzone.classList.add("dropzone--active");
      });
    });
    ["dragleave", "drop"].forEach(function (type) {
      dropzone.addEventListener(type, function () {
        dropzone.classList.remove("dropzone--active");
      });
    });
    dropzone.addEventListener("drop", function (event) {
      event.preventDefault();
      if (event.dataTransfer && event.dataTransfer.files.length) {
        input.files = event.dataTransfer.files;
        input.dispatchEvent(new Event("change", { bubbles: true }));
      }
    });

    // Suggest a title from the file name when the title is still empty.
    input.addEventListener("change", function () {
      var title = form.querySelector('input[name="title"]');
      if (title && !title.value && input.files.length) {
        title.value = input.files[0].name.replace(/\.[^.]+$/, "").slice(0, 100);
      }
    });

    if (progress) {
      var bar = progress.querySelector("progress");
      var percent = progress.querySelector("[data-upload-percent]");
      form.addEventListener("htmx:xhr:loadstart", function () {
        progress.hidden = false;
        bar.value = 0;
      });
      form.addEventListener("htmx:xhr:progress", function (event) {
        if (!event.detail.lengthComputable) return;
        var value = Math.round((event.detail.loaded / event.detail.total) * 100);
        bar.value = value;
        percent.textContent = value + "%";
      });
    }
  }

  function setUpAll(root) {
    root.querySelectorAll("form.upload-form").forEach(setUp);
  }

  document.addEventListener("DOMContentLoaded", function () {
    setUpAll(document);
  });
  // The form is swapped back in (with its errors) after a refused upload.
  document.addEventListener("htmx:load", function (event) {
    if (event.target.matches && event.target.matches("form.upload-form")) setUp(event.target);
  });
})();
