// The register page updates by itself when a card terminal of its point of sale is tapped
// (the page works without JavaScript: its "Refresh" link and its forms do the same). The
// server renders the changing part and sends it as a server-sent event (/caisse/<pos>/flux);
// this replaces it, except while someone types in one of its fields: then it waits until
// the field loses the focus. No inline script: CSP allows only files of the same origin.
(function () {
  "use strict";
  var box = document.getElementById("lb-live");
  if (!box || !window.EventSource || !box.getAttribute("data-events")) {
    return;
  }
  var pending = null;
  function typing() {
    var active = document.activeElement;
    if (!active || !box.contains(active)) {
      return false;
    }
    var tag = active.tagName;
    return tag === "SELECT" || tag === "TEXTAREA" ||
      (tag === "INPUT" && active.type !== "submit" && active.type !== "hidden");
  }
  function apply(html) {
    if (typing()) {
      pending = html;
      return;
    }
    pending = null;
    box.innerHTML = html;
    box.setAttribute("data-updated", String(Date.now()));
  }
  box.addEventListener("focusout", function () {
    window.setTimeout(function () {
      if (pending !== null) {
        apply(pending);
      }
    }, 0);
  });
  var source = new EventSource(box.getAttribute("data-events"));
  source.addEventListener("register", function (event) {
    apply(event.data);
  });
  source.addEventListener("open", function () {
    box.setAttribute("data-live", "on");
  });
  source.addEventListener("error", function () {
    box.setAttribute("data-live", "off");
  });
})();
