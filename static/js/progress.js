// Progress of a print run (or of the network's yearly report): polls the status every 2 seconds and reloads the page when the run
// ends. The page works without this script (an "Actualiser" link does the same by hand).
(function () {
  "use strict";
  var box = document.querySelector("[data-status-url]");
  if (!box || !window.fetch) { return; }
  var bar = box.querySelector("progress");
  var label = box.querySelector("label");
  function poll() {
    fetch(box.getAttribute("data-status-url"), { credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(function (state) {
        if (bar) { bar.value = state.percent; bar.textContent = state.percent + " %"; }
        if (label) { label.textContent = label.textContent.replace(/\d+([^\d]+)\d+/, state.done + "$1" + state.total); }
        if (state.status === "done" || state.status === "failed" || state.stalled) {
          window.location.reload();
        } else {
          window.setTimeout(poll, 2000);
        }
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }
  window.setTimeout(poll, 1000);
})();
