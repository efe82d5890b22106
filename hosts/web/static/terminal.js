/* tirelire: live charge page. Without JavaScript the page works the same; the "Refresh" link
   reloads it. With it, the status part is replaced by what the server sends at each change
   (server-sent events of /caisse/terminaux/<id>/flux, rendered on the server). */
(function () {
  "use strict";
  var box = document.getElementById("charge-status");
  if (!box || !window.EventSource || !box.dataset.events) {
    return;
  }
  var source = new EventSource(box.dataset.events);
  source.addEventListener("status", function (event) {
    box.innerHTML = event.data;
    box.dataset.live = "on";
  });
  source.addEventListener("open", function () {
    box.dataset.live = "on";
  });
  source.addEventListener("error", function () {
    box.dataset.live = "off";
  });
})();
