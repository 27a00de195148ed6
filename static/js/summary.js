// Asks every few seconds whether the summary is made, then offers the file: the page itself
// is never reloaded.
(function () {
  var box = document.getElementById("summary");
  if (!box) return;
  var state = document.getElementById("summary-state");
  var file = document.getElementById("summary-file");
  var attempts = 0;
  function check() {
    attempts += 1;
    fetch(box.dataset.checkUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.json(); })
      .then(function (answer) {
        if (answer.state === "ready") {
          state.textContent = box.dataset.ready;
          file.hidden = false;
          file.focus();
        } else if (answer.state === "failed") {
          state.textContent = box.dataset.failed;
        } else if (attempts < 150) {
          setTimeout(check, 2000);
        }
      })
      .catch(function () { if (attempts < 150) setTimeout(check, 5000); });
  }
  setTimeout(check, 1000);
})();
