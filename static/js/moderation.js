// The report dialog: a report link loads its form into the dialog (htmx), and this opens it
// as a modal (focus moves in, Escape closes it, focus returns to the link). Without
// JavaScript the links open the report page.
(function () {
  "use strict";
  var opener = null;
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("[data-report-link]");
    if (link) opener = link;
  });
  document.addEventListener("htmx:afterSwap", function (event) {
    var body = event.detail && event.detail.target;
    if (!body || body.id !== "report-dialog-body") return;
    var dialog = document.getElementById("report-dialog");
    if (!dialog.open) dialog.showModal();
    var first = body.querySelector("input, textarea, button");
    if (first) first.focus();
  });
  document.addEventListener("close", function (event) {
    if (event.target.id !== "report-dialog") return;
    document.getElementById("report-dialog-body").innerHTML = "";
    if (opener) opener.focus();
  }, true);
})();
