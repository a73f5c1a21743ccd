// Trend charts of the monitoring dashboard. Every chart has a table beside it; the page
// works without JavaScript (the tables carry the same numbers).
document.addEventListener("DOMContentLoaded", () => {
  const dataNode = document.getElementById("trend-data");
  const canvas = document.getElementById("trend-chart");
  if (!dataNode || !canvas || typeof window.Chart === "undefined") return;
  const data = JSON.parse(dataNode.textContent);
  const palette = ["#0b4f9c", "#a51d1d", "#176b2c", "#8a5300"];
  const dashes = [[], [6, 3], [2, 2], [10, 4]];
  const keys = Object.keys(data.series);
  const numberVi = new Intl.NumberFormat("vi-VN", { maximumFractionDigits: 1 });
  new window.Chart(canvas, {
    type: "line",
    data: {
      labels: data.labels,
      datasets: keys.map((key, i) => ({
        label: data.series[key].label,
        data: data.series[key].values,
        borderColor: palette[i % palette.length],
        backgroundColor: palette[i % palette.length],
        borderDash: dashes[i % dashes.length],
        spanGaps: true,
        tension: 0.2,
        pointRadius: 2,
      })),
    },
    options: {
      responsive: true,
      animation: false,
      scales: {
        y: { min: 0, max: 100, ticks: { callback: (v) => numberVi.format(v) + "%" } },
      },
      plugins: {
        tooltip: {
          callbacks: {
            label: (ctx) => `${ctx.dataset.label}: ${numberVi.format(ctx.parsed.y)}%`,
          },
        },
      },
    },
  });
});
