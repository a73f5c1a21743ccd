// Bar chart of a numeric column of the preview table (the table beside it has the figures).
document.addEventListener("DOMContentLoaded", () => {
  const dataNode = document.getElementById("chart-data");
  const canvas = document.getElementById("data-chart");
  if (!dataNode || !canvas || typeof Chart === "undefined") return;
  const data = JSON.parse(dataNode.textContent);
  const select = document.getElementById("chart-series");
  const numberFormat = new Intl.NumberFormat("vi-VN");
  const chart = new Chart(canvas, {
    type: "bar",
    data: {
      labels: data.labels,
      datasets: [{ label: data.series[0].label, data: data.series[0].values, backgroundColor: "#a51d1d" }],
    },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      plugins: {
        legend: { display: true },
        tooltip: { callbacks: { label: (ctx) => `${ctx.dataset.label}: ${numberFormat.format(ctx.parsed.y)}` } },
      },
      scales: { y: { ticks: { callback: (value) => numberFormat.format(value) } } },
    },
  });
  canvas.dataset.ready = "true";
  if (select) {
    select.addEventListener("change", () => {
      const series = data.series[Number(select.value)];
      chart.data.datasets[0].label = series.label;
      chart.data.datasets[0].data = series.values;
      chart.update();
    });
  }
});
