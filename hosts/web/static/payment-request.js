// The staff's payment QR code page: show the payment as it arrives, without reloading.
// Without JavaScript the page works the same: its "refresh" link shows the current state.
(function () {
  "use strict";
  var box = document.getElementById("payreq-status");
  if (!box || !window.EventSource) {
    return;
  }
  var source = new EventSource(box.getAttribute("data-events"));
  source.addEventListener("status", function (event) {
    var data = JSON.parse(event.data);
    box.textContent = data.text;
    box.className = "status " + data.status;
    box.setAttribute("data-status", data.status);
    if (data.status !== "open") {
      source.close();
      var cancel = document.getElementById("payreq-cancel");
      if (cancel) {
        cancel.hidden = true;
      }
    }
  });
})();
