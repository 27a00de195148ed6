// Draws every chart of the page from the one JSON payload the server embedded.
(function () {
  var payload = document.getElementById("chart-data");
  if (!payload || !window.Plotly) return;
  var figures = JSON.parse(payload.textContent);
  // The page prints each chart's title as a heading above it (it wraps on a phone, and the
  // toolbar never covers it), so the plot itself leaves it out.
  function forPage(figure, width) {
    var layout = Object.assign({}, figure.layout, { title: { text: "" } });
    layout.margin = Object.assign({}, layout.margin, { t: layout.meta === "tiles" ? 4 : 36 });
    if (layout.meta === "tiles") {
      // Tiles shrink with the page: so does their lettering, down to what stays legible.
      var size = Math.max(8, Math.min(12, Math.round(width / 75)));
      figure.data.forEach(function (trace) {
        if (trace.textfont) trace.textfont = Object.assign({}, trace.textfont, { size: size });
      });
    }
    return layout;
  }
  document.querySelectorAll("[data-chart]").forEach(function (element) {
    var figure = figures[element.dataset.chart];
    if (!figure) return;
    Plotly.newPlot(element, figure.data, forPage(figure, element.clientWidth), {
      displaylogo: false,
      responsive: true,
      modeBarButtonsToRemove: ["sendDataToCloud", "lasso2d", "select2d"],
    });
  });
})();
