// Draws every chart of the page from the one JSON payload the server embedded.
(function () {
  var payload = document.getElementById("chart-data");
  if (!payload || !window.Plotly) return;
  var figures = JSON.parse(payload.textContent);
  var measure = document.createElement("canvas").getContext("2d");

  // The widest line of the tiles' labels at 10 px, in pixels.
  function widestLabel(trace, family) {
    measure.font = "10px " + family;
    var widest = 0;
    (trace.text || []).forEach(function (text) {
      text.split("<br>").forEach(function (line) {
        widest = Math.max(widest, measure.measureText(line).width);
      });
    });
    return widest;
  }

  // Tiles shrink with the page; their lettering shrinks so that every label fits its tile.
  function fitTileLabels(figure, width, height) {
    var layout = figure.layout;
    var columns = Math.abs(layout.xaxis.range[1] - layout.xaxis.range[0]);
    var rows = Math.abs(layout.yaxis.range[1] - layout.yaxis.range[0]);
    // Square tiles: the narrower of a column and a row sets their size.
    var column = (width - layout.margin.l - layout.margin.r) / columns;
    var row = (height - 4 - layout.margin.b) / rows;
    var tile = Math.min(column, row) * layout.meta.tile;
    figure.data.forEach(function (trace) {
      if (!trace.textfont) return;
      var widest = widestLabel(trace, layout.font.family);
      var size = Math.min(12, Math.floor((10 * tile * 0.95) / Math.max(widest, 1)));
      trace.textfont = Object.assign({}, trace.textfont, { size: Math.max(6, size) });
    });
  }

  // The page prints each chart's title as a heading above it (it wraps on a phone, and the
  // toolbar never covers it), so the plot itself leaves it out.
  function forPage(figure, width, height) {
    var layout = Object.assign({}, figure.layout, { title: { text: "" } });
    var tiles = layout.meta && layout.meta.tile;
    layout.margin = Object.assign({}, layout.margin, { t: tiles ? 4 : 36 });
    if (tiles) fitTileLabels(figure, width, height);
    return layout;
  }

  document.querySelectorAll("[data-chart]").forEach(function (element) {
    var figure = figures[element.dataset.chart];
    if (!figure) return;
    Plotly.newPlot(element, figure.data, forPage(figure, element.clientWidth, element.clientHeight), {
      displaylogo: false,
      responsive: true,
      modeBarButtonsToRemove: ["sendDataToCloud", "lasso2d", "select2d"],
    });
  });
})();
