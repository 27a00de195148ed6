// Draws every chart of the page from the one JSON payload the server embedded.
(function () {
  var payload = document.getElementById("chart-data");
  if (!payload || !window.Plotly) return;
  var figures = JSON.parse(payload.textContent);
  document.querySelectorAll("[data-chart]").forEach(function (element) {
    var figure = figures[element.dataset.chart];
    if (!figure) return;
    Plotly.newPlot(element, figure.data, figure.layout, {
      displaylogo: false,
      responsive: true,
      modeBarButtonsToRemove: ["sendDataToCloud", "lasso2d", "select2d"],
    });
  });
})();
