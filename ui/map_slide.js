// The map's slide PNG: the map at step k (with, if chosen, the loss chart beside it) rendered by
// plotly.js in the browser at a slide's size, caption on top, and handed over as a download.

// A slide: "<width>x<height>" and, after "+", the loss chart beside the map.
export const SLIDE_CHOICES = [["1920x1080", "1920×1080"], ["1280x720", "1280×720"],
  ["1920x1080+loss", "1920×1080 + loss"], ["1280x720+loss", "1280×720 + loss"]];

// The map at step k as one figure for plotly.js's image export: the contour under the paths (the
// page draws them in two layers), each short path's dots as markers (the page draws them on a
// canvas), the view the user has zoomed to, the caption's first line as the title, fonts and lines
// grown with the slide and, with `withLoss`, each path's loss L(θ_k) up to step k in a panel beside.
function slideFigure(state, shownFigure, width, height, withLoss) {
  const { data, layout: shown } = shownFigure;
  const scale = width / 1280;
  const byMeta = new Map(state.paths.paths.map((p) => [`path:${p.name}`, p]));
  const grow = (t) => {
    const p = byMeta.get(t.meta);
    const out = { ...t, line: t.line ? { ...t.line, width: (t.line.width || 2) * scale } : t.line };
    if (p && p.markers) Object.assign(out, { mode: "lines+markers", marker: { color: p.color, size: 5 * scale } });
    if (t.meta === "heads") out.marker = { ...t.marker, size: t.marker.size * scale };
    return out;
  };
  const panel = !!state.base.layout.xaxis2;
  const fl = state.dom.plot._fullLayout;
  const layout = structuredClone(shown);
  delete layout.uirevision;
  Object.assign(layout, {
    width, height, paper_bgcolor: "white", plot_bgcolor: "white",
    font: { ...layout.font, size: 14 * scale },
    title: { text: state.paths.caption || "", x: 0.01, xanchor: "left", y: 0.985, yanchor: "top",
      font: { size: 20 * scale } },
    margin: { l: 70 * scale, r: 30 * scale, t: 130 * scale, b: 60 * scale, autoexpand: false },
    legend: { ...layout.legend, font: { size: 14 * scale }, y: 1.02 },
  });
  for (const ax of ["xaxis", "yaxis"]) { // the page draws these labels on the contour's layer
    const below = state.base.bgLayout[ax];
    layout[ax] = { ...layout[ax], showticklabels: true, title: { ...(layout[ax].title || {}), text: below.title.text } };
  }
  if (fl) {
    layout.xaxis.range = fl.xaxis.range.slice();
    layout.yaxis.range = fl.yaxis.range.slice();
  }
  const contour = { ...state.base.contour, colorbar: { ...state.base.contour.colorbar } };
  const traces = [contour, ...data.map(grow)];
  // Panels side by side: the map, the data panel where there is one, the loss chart if asked.
  // A colour bar sits between the map and the next panel: a wider gap there.
  const n = 1 + panel + withLoss, gap = contour.showscale && n > 1 ? 0.16 : 0.08, w = (1 - gap * (n - 1)) / n;
  const domain = (i) => [i * (w + gap), i * (w + gap) + w];
  layout.xaxis.domain = domain(0);
  if (n > 1) contour.colorbar = { ...contour.colorbar, x: domain(0)[1] + 0.005, xanchor: "left" };
  if (panel) {
    layout.xaxis2 = { ...layout.xaxis2, domain: domain(1) };
    const centre = (i) => (domain(i)[0] + domain(i)[1]) / 2; // the panels' titles follow their panels
    layout.annotations = (layout.annotations || []).map((an) =>
      (an.xref === "paper" && (an.x === 0.27 || an.x === 0.82) ? { ...an, x: centre(an.x < 0.5 ? 0 : 1) } : an));
  }
  if (withLoss) {
    const i = n - 1, k = state.k;
    const curves = state.paths.paths.filter((p) => p.n > 0).map((p) => {
      const j = Math.min(k, p.n - 1) + 1;
      return { type: "scatter", mode: "lines", xaxis: "x3", yaxis: "y3", showlegend: false, name: p.label,
        x: Array.from({ length: j }, (_, t) => t), y: Array.from(p.loss.subarray(0, j)),
        line: { color: p.color, width: 2.5 * scale } };
    });
    const positive = curves.every((c) => c.y.every((v) => v > 0));
    traces.push(...curves);
    layout.xaxis3 = { domain: domain(i), anchor: "y3", title: { text: "step k" }, range: [0, state.paths.n_steps],
      gridcolor: "#eceff3", zeroline: false, linecolor: "#888" };
    layout.yaxis3 = { anchor: "x3", title: { text: "loss L(θ_k)" }, type: positive ? "log" : "linear",
      exponentformat: "power", gridcolor: "#eceff3", zeroline: false, linecolor: "#888" };
  }
  return { data: traces, layout };
}

// Render the slide with plotly.js (Plotly.toImage, in this browser) and hand it over as a download.
// `figure` is the map as the page draws it now (ui/landscape_map.js); the caller pauses the play.
export function downloadSlide(state, figure, choice) {
  if (!state.Plotly || !state.base || !state.paths) return Promise.resolve();
  const [size, loss] = choice.split("+");
  const [width, height] = size.split("x").map(Number);
  const fig = slideFigure(state, figure(state), width, height, loss === "loss");
  return state.Plotly.toImage(fig, { format: "png", width, height }).then((url) => {
    const a = document.createElement("a");
    a.href = url;
    a.download = `race-step-${state.k}-${size}.png`;
    document.body.appendChild(a);
    a.click();
    a.remove();
    state.dom.root.dataset.slide = `${size}${loss ? "+loss" : ""}`;
  });
}
