// The kitchen screen refreshes its list by itself when JavaScript runs (the page works
// without it: its "Refresh" link and its forms do the same). No inline script: CSP allows
// only files of the same origin.
(function () {
  "use strict";
  var box = document.getElementById("lb-kitchen");
  if (!box || !window.fetch) {
    return;
  }
  var every = 5000;
  function refresh() {
    fetch(box.getAttribute("data-refresh"), {
      credentials: "same-origin",
      headers: { Accept: "text/html" },
    })
      .then(function (response) {
        return response.ok ? response.text() : null;
      })
      .then(function (html) {
        if (html !== null && !box.contains(document.activeElement)) {
          box.innerHTML = html;
        }
      })
      .catch(function () {})
      .then(function () {
        window.setTimeout(refresh, every);
      });
  }
  window.setTimeout(refresh, every);
})();
