// Draws the ageing bar chart from the canvas's data-chart attribute (labels, values, counts, currency).
(function () {
  "use strict";
  var canvas = document.getElementById("ageing-chart");
  if (!canvas || typeof Chart === "undefined") { return; }
  var data = JSON.parse(canvas.dataset.chart);
  var locale = canvas.dataset.locale || undefined;
  // green for "not due", then amber to deep red as items age
  var palette = ["#2f9e6e", "#e0b43c", "#e8893a", "#dc6b3f", "#c9483b", "#8f2d3b"];
  var money = new Intl.NumberFormat(locale, { style: "currency", currency: data.currency, maximumFractionDigits: 0 });
  var chart = new Chart(canvas, {
    type: "bar",
    data: {
      labels: data.labels,
      datasets: [{
        data: data.values,
        backgroundColor: data.labels.map(function (_, i) { return palette[Math.min(i, palette.length - 1)]; }),
        borderRadius: 6,
        maxBarThickness: 64
      }]
    },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      animation: { duration: 300 },
      plugins: {
        legend: { display: false },
        tooltip: {
          callbacks: {
            label: function (ctx) { return money.format(ctx.parsed.y) + " · " + data.counts[ctx.dataIndex]; }
          }
        }
      },
      scales: {
        x: { grid: { display: false } },
        y: { beginAtZero: true, ticks: { callback: function (v) { return money.format(v); } },
             grid: { color: "#eef0f4" } }
      }
    }
  });
  canvas.dataset.rendered = chart ? "1" : "0";
})();
