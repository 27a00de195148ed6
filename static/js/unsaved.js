// The sheet keeps what was typed until it is saved: leaving the page another way (attaching
// a file, withdrawing, a link) first asks, since the server never saw those entries.
(function () {
  var sheet = document.querySelector("form.sheet[data-unsaved]");
  if (!sheet) return;
  var changed = false;
  var leaving = false;
  sheet.addEventListener("input", function () { changed = true; });
  sheet.addEventListener("change", function () { changed = true; });
  sheet.addEventListener("submit", function () { leaving = true; });
  document.querySelectorAll("form").forEach(function (form) {
    if (form === sheet) return;
    form.addEventListener("submit", function (event) {
      if (changed && !window.confirm(sheet.dataset.unsaved)) {
        event.preventDefault();
        return;
      }
      leaving = true;
    });
  });
  window.addEventListener("beforeunload", function (event) {
    if (changed && !leaving) {
      event.preventDefault();
      event.returnValue = "";
    }
  });
})();
