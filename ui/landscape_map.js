// The explorer's map, owned by the browser (see ui/map_component.py and figures/map_data.py).
//
// Two Streamlit Components v2 elements import this module (one module instance per page):
// - `mountBase` receives the surface's part (contour, axes, minima, data panel) and keeps it here,
//   keyed by its contour key. Its payload is identical while the surface stays, so Streamlit's
//   message cache sends it once; its element is hidden.
// - `mountMap` receives the paths and draws the chart in two stacked Plotly layers: below, the
//   contour, drawn once per surface (recomputing it cost about 3/4 of every redraw); above, on a
//   transparent background, the paths, legend, hover and zoom, redrawn by Plotly.react on new
//   paths (uirevision keeps the user's zoom; the layer below follows it). Play, pause and the step
//   slider run here with no rerun and never touch the contour (the plotly.js animation frames that
//   erased it, plotly.js #4491, are gone).
// A click on the map sends the point back as the trigger value `start`.

const bases = new Map(); // contour key -> decoded base payload (a few, most recent last)
const baseListeners = new Set(); // maps waiting for a base to arrive
const MAX_BASES = 4;
const FRAME_MS = 40; // the play clock's tick
const PLAY_MS_PER_STEP = 60; // a play lasts this per step, within the bounds below
const PLAY_MIN_MS = 2500;
const PLAY_MAX_MS = 8000;

const CSS = `
.pg-map { position: relative; outline: none; }
.pg-map:focus-visible { box-shadow: 0 0 0 2px rgba(255, 75, 75, 0.5); border-radius: 4px; }
.pg-map-stack { position: relative; width: 100%; }
.pg-map-bg, .pg-map-dots { position: absolute; inset: 0; pointer-events: none; }
.pg-map-plot { position: relative; width: 100%; }
.pg-map-readout { color: #262730; font-variant-numeric: tabular-nums; }
.pg-map-controls { display: flex; align-items: center; gap: 12px; padding: 4px 8px 0 60px;
  font-family: "Source Sans Pro", Helvetica, Arial, sans-serif; }
.pg-map-controls button { font-size: 16px; line-height: 1; min-width: 40px; height: 32px; cursor: pointer;
  border: 1px solid #c7ccd3; border-radius: 6px; background: #fff; color: #262730; }
.pg-map-controls button:hover { border-color: #ff4b4b; color: #ff4b4b; }
.pg-map-controls select { height: 32px; border: 1px solid #c7ccd3; border-radius: 6px; background: #fff; color: #262730; }
.pg-map-controls input[type=range] { flex: 1; accent-color: #ff4b4b; cursor: pointer; }
.pg-map-step { color: #262730; font-size: 16px; font-variant-numeric: tabular-nums; white-space: nowrap;
  min-width: 7.5em; }
.pg-map-hint { color: #6b7280; font-size: 13px; padding: 2px 8px 0 60px;
  font-family: "Source Sans Pro", Helvetica, Arial, sans-serif; }
.pg-map-error { color: #b91c1c; padding: 8px; }
.pg-map-theory, .pg-map-inspector { font-family: "Source Sans Pro", Helvetica, Arial, sans-serif; color: #262730;
  font-size: 14px; padding: 4px 8px 0 60px; font-variant-numeric: tabular-nums; }
.pg-map-theory:empty, .pg-map-inspector:empty { display: none; }
.pg-map-theory .pg-flag { color: #b91c1c; font-weight: 600; }
.pg-map-inspector table { border-collapse: collapse; margin-top: 4px; }
.pg-map-inspector td, .pg-map-inspector th { padding: 1px 10px 1px 0; text-align: left; white-space: nowrap; }
.pg-map-inspector td { padding-right: 28px; }
.pg-map-inspector th { font-weight: 600; }
.pg-map-inspector .pg-key { display: inline-block; width: 14px; height: 3px; vertical-align: middle; margin-right: 4px; }
.pg-map.pg-present .pg-map-controls { font-size: 24px; }
.pg-map.pg-present .pg-map-controls button { font-size: 26px; min-width: 64px; height: 48px; }
.pg-map.pg-present .pg-map-step { font-size: 26px; }
.pg-map.pg-present .pg-map-hint { display: none; }
.pg-map.pg-present .pg-map-theory, .pg-map.pg-present .pg-map-inspector { font-size: 22px; }
`;

function ensureStyle() {
  if (document.getElementById("pg-map-style")) return;
  const style = document.createElement("style");
  style.id = "pg-map-style";
  style.textContent = CSS;
  document.head.appendChild(style);
}

// plotly.js is loaded once per page through the one shared loader (ui/plotly_loader.js), fetched
// at this module's own version (its `?v=` hash covers the loader too: ui/map_component.py).
const plotlyLoader = import(new URL(`./plotly_loader.js${new URL(import.meta.url).search}`, import.meta.url).href);
const loadPlotly = (url) => plotlyLoader.then((m) => m.loadPlotly(url));

function f32(b64) {
  if (b64 == null) return null;
  const bin = atob(b64);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return new Float32Array(bytes.buffer);
}

function fmt(v) {
  if (!Number.isFinite(v)) return String(v);
  return Math.abs(v) >= 1e5 || (v !== 0 && Math.abs(v) < 1e-3) ? v.toExponential(3) : String(+v.toPrecision(4));
}

// ------------------------------------------------------------------------------ the base element

function decodeBase(raw) {
  const nx = raw.nx, ny = raw.ny;
  const xs = f32(raw.x), ys = f32(raw.y), zflat = f32(raw.z);
  const [a, b] = raw.axis_labels;
  const z = [];
  for (let i = 0; i < ny; i++) z.push(zflat.subarray(i * nx, (i + 1) * nx));
  const contour = {
    type: "contour", x: xs, y: ys, z, ncontours: 24, colorscale: raw.colorscale,
    // "heatmap" colouring draws one image instead of a filled path per level: faster to redraw.
    contours: { coloring: "heatmap", showlines: true },
    line: { color: "rgba(60,70,80,0.35)", width: 0.8 },
    showscale: !raw.data_panel, colorbar: raw.colorbar, name: "loss", showlegend: false, hoverinfo: "skip",
  };
  const fixed = [];
  if (raw.minima.length) {
    fixed.push({
      type: "scatter", mode: "markers", name: "minimum θ*",
      x: raw.minima.map((p) => p[0]), y: raw.minima.map((p) => p[1]),
      marker: { symbol: "star", size: 15, color: "white", line: { color: "black", width: 1.5 } },
      hovertemplate: "minimum θ*<br>(%{x:.4g}, %{y:.4g})<extra></extra>",
    });
  }
  const panel = raw.data_panel;
  let fitX = null;
  if (panel) {
    fitX = f32(panel.fit_x);
    fixed.push({
      type: "scatter", mode: "markers", name: "data (x_i, y_i)", xaxis: "x2", yaxis: "y2",
      x: f32(panel.x), y: f32(panel.y), marker: { color: "#555", size: 7, opacity: 0.75 },
      hovertemplate: "x = %{x:.3g}<br>y = %{y:.3g}<extra>data</extra>",
    });
    if (panel.best_fit) {
      fixed.push({
        type: "scatter", mode: "lines", name: "best fit (at θ*)", xaxis: "x2", yaxis: "y2",
        x: fitX, y: f32(panel.best_fit), line: { color: "#555", dash: "dash", width: 1.5 }, hoverinfo: "skip",
      });
    }
  }
  // The two layers must place the axes identically: fixed margins (no auto-expansion by the legend
  // or the colour bar) and the same domains, ranges and aspect constraint.
  // ticklabeloverflow "allow": the labels fit; plotly.js then skips measuring them on every redraw.
  const axis = { zeroline: false, linecolor: "#888", gridcolor: "#eceff3", ticklabeloverflow: "allow" };
  const common = {
    height: raw.height,
    font: { family: "Source Sans Pro, Helvetica, Arial, sans-serif", size: 14, color: "#262730" },
    margin: { l: 60, r: panel ? 20 : 100, t: 90, b: 50, autoexpand: false },
    uirevision: raw.key, // a new surface resets the zoom; new paths keep it
    xaxis: { ...axis, title: { text: a }, range: raw.xrange, constrain: "domain" },
    yaxis: { ...axis, title: { text: b }, range: raw.yrange },
  };
  if (raw.equal_aspect) Object.assign(common.yaxis, { scaleanchor: "x", scaleratio: 1, constrain: "domain" });
  if (panel) common.xaxis.domain = [0, 0.54];
  // Below: the contour and the grid, never interactive (it follows the top layer's zoom).
  const bgLayout = structuredClone(common);
  Object.assign(bgLayout, { paper_bgcolor: "white", plot_bgcolor: "white", showlegend: false });
  for (const ax of [bgLayout.xaxis, bgLayout.yaxis]) Object.assign(ax, { showgrid: true, showticklabels: false });
  bgLayout.xaxis.title = bgLayout.yaxis.title = { text: "" };
  // Above: transparent, with the paths, axes labels, legend, hover, zoom and the data panel.
  const layout = structuredClone(common);
  Object.assign(layout, {
    paper_bgcolor: "rgba(0,0,0,0)", plot_bgcolor: "rgba(0,0,0,0)", hovermode: "closest",
    hoverlabel: { font: { size: 13 } }, dragmode: "pan",
    legend: { orientation: "h", yanchor: "bottom", y: 1.04, x: 0 },
  });
  layout.xaxis.showgrid = layout.yaxis.showgrid = false;
  if (panel) {
    layout.xaxis2 = { ...axis, domain: [0.64, 1], anchor: "y2", title: { text: "input x" } };
    layout.yaxis2 = { ...axis, anchor: "x2", range: panel.yrange, title: { text: "target y" } };
    const title = (text, x) => ({ text: `<b>${text}</b>`, x, xref: "paper", xanchor: "center", y: 1,
      yref: "paper", yanchor: "bottom", showarrow: false, font: { size: 13 } });
    layout.annotations = [title("parameter space: loss L(θ)", 0.27), title("data space: the fit at step k", 0.82)];
  }
  return { key: raw.key, contour, bgLayout, fixed, layout, fitX, axisLabels: [a, b], xrange: raw.xrange,
    yrange: raw.yrange, xs, ys, z, log: raw.log, floor: raw.floor, delta: raw.delta };
}

// The loss at (x, y) read from the contour grid (nearest grid point), for the readout under the map.
function lossAt(base, x, y) {
  const nearest = (arr, v) => {
    const t = (v - arr[0]) / (arr[arr.length - 1] - arr[0]);
    return Math.max(0, Math.min(arr.length - 1, Math.round(t * (arr.length - 1))));
  };
  const v = base.z[nearest(base.ys, y)][nearest(base.xs, x)];
  return base.log ? base.floor + Math.pow(10, v) - base.delta : v;
}

// Each element's data is `[payload]` (see `as_data` in ui/map_component.py).
export function mountBase({ data: wrapped, parentElement }) {
  const data = wrapped && wrapped[0];
  ensureStyle();
  // This element carries data only: hide its slot in the page.
  const slot = parentElement.closest("[data-testid='stElementContainer']") || parentElement;
  slot.style.display = "none";
  if (!data || !data.key || bases.has(data.key)) {
    if (data && data.key) touchBase(data.key);
    return;
  }
  bases.set(data.key, decodeBase(data));
  while (bases.size > MAX_BASES) bases.delete(bases.keys().next().value);
  for (const listener of [...baseListeners]) listener(data.key);
}

function touchBase(key) {
  const base = bases.get(key);
  bases.delete(key);
  bases.set(key, base);
}

// ------------------------------------------------------------------------------ the map element

// A slide: "<width>x<height>" and, after "+", the loss chart beside the map.
const SLIDE_CHOICES = [["1920x1080", "1920×1080"], ["1280x720", "1280×720"],
  ["1920x1080+loss", "1920×1080 + loss"], ["1280x720+loss", "1280×720 + loss"]];

const maps = new WeakMap(); // parentElement -> map state

// A packed table (figures/map_data.py: theory_overlay, step_inspector): row k, column by name.
function decodeTable(raw) {
  if (!raw) return null;
  const data = f32(raw.data), width = raw.columns.length, index = {};
  raw.columns.forEach((c, i) => { index[c] = i; });
  const at = (k, col) => (col in index ? data[Math.max(0, Math.min(raw.n - 1, k)) * width + index[col]] : NaN);
  return { ...raw, at };
}

function decodePaths(raw) {
  const theory = raw.theory || {};
  const inspector = theory.inspector ? decodeTable(theory.inspector) : null;
  if (inspector) {
    inspector.markerSets = (inspector.markers || []).map((m) => ({ ...m, points: f32(m.data) }));
    if (inspector.curves) inspector.curveData = f32(inspector.curves.data);
  }
  return {
    ...raw,
    overlay: decodeTable(theory.overlay),
    inspector,
    paths: raw.paths.map((p) => ({ ...p, x: f32(p.x), y: f32(p.y), loss: f32(p.loss), fit: f32(p.fit) })),
  };
}

function buildDom(parentElement) {
  const root = document.createElement("div");
  root.className = "pg-map";
  root.tabIndex = 0;
  root.setAttribute("aria-label", "Loss map: space plays or pauses, arrow keys step");
  const stack = document.createElement("div");
  stack.className = "pg-map-stack";
  const bg = document.createElement("div");
  bg.className = "pg-map-bg";
  const plot = document.createElement("div");
  plot.className = "pg-map-plot";
  const dots = document.createElement("canvas");
  dots.className = "pg-map-dots";
  stack.append(bg, dots, plot); // the dots between the contour and the paths' transparent layer
  const controls = document.createElement("div");
  controls.className = "pg-map-controls";
  const play = document.createElement("button");
  play.type = "button";
  play.className = "pg-map-play";
  play.title = "Play / pause (space)";
  play.textContent = "▶";
  const slider = document.createElement("input");
  slider.type = "range";
  slider.className = "pg-map-slider";
  slider.min = "0";
  slider.step = "1";
  slider.setAttribute("aria-label", "step k");
  const label = document.createElement("span");
  label.className = "pg-map-step";
  // A PNG for a slide (see slideFigure): its size, and whether the loss chart goes with the map.
  const slide = document.createElement("select");
  slide.className = "pg-map-slide";
  slide.setAttribute("aria-label", "slide size");
  for (const [value, text] of SLIDE_CHOICES) slide.add(new Option(text, value));
  const png = document.createElement("button");
  png.type = "button";
  png.className = "pg-map-png";
  png.title = "Download the map at this step as a PNG for a slide, its caption on top";
  png.textContent = "PNG";
  controls.append(play, slider, label, slide, png);
  const hint = document.createElement("div");
  hint.className = "pg-map-hint";
  const readout = document.createElement("span");
  readout.className = "pg-map-readout";
  const help = document.createElement("span");
  help.textContent = "▶ plays the race, the slider scrubs it (space and ← → on the map); click the map to start there.";
  hint.append(help, readout);
  const theory = document.createElement("div");
  theory.className = "pg-map-theory";
  const inspector = document.createElement("div");
  inspector.className = "pg-map-inspector";
  root.append(stack, controls, hint, theory, inspector);
  parentElement.appendChild(root);
  return { root, stack, bg, dots, plot, play, slider, label, help, readout, theory, inspector, slide, png };
}

function pathTraces(state) {
  const { paths, base } = state;
  const [a, b] = base.axisLabels;
  const k = state.k;
  const traces = [];
  for (const p of paths.paths) {
    const j = Math.min(k, p.n - 1) + 1;
    const custom = new Array(j);
    for (let i = 0; i < j; i++) custom[i] = [i, p.loss[i]];
    traces.push({
      type: "scatter", name: p.label, legendgroup: p.name, meta: `path:${p.name}`,
      x: p.x.subarray(0, j), y: p.y.subarray(0, j), customdata: custom,
      mode: "lines", // the dot at each step is drawn by drawDots, below
      line: { color: p.color, width: 2.5, dash: p.dash || "solid" }, opacity: p.opacity || 1, // a pinned run: dashed, faded
      hovertemplate: `<b>${p.label}</b><br>step k = %{customdata[0]}<br>${a} = %{x:.4g}, ${b} = %{y:.4g}` +
        "<br>L = %{customdata[1]:.4g}<extra></extra>",
    });
  }
  // The head of every path at step k: one trace, a dot per optimizer.
  const heads = paths.paths.filter((p) => p.n > 0);
  traces.push({
    type: "scatter", mode: "markers", name: "step k", showlegend: false, meta: "heads",
    x: heads.map((p) => p.x[Math.min(k, p.n - 1)]), y: heads.map((p) => p.y[Math.min(k, p.n - 1)]),
    customdata: heads.map((p) => [Math.min(k, p.n - 1), p.loss[Math.min(k, p.n - 1)], p.label]),
    marker: { color: heads.map((p) => p.color), size: 12, line: { color: "white", width: 2 } },
    hovertemplate: `<b>%{customdata[2]}</b><br>step k = %{customdata[0]}<br>${a} = %{x:.4g}, ${b} = %{y:.4g}` +
      "<br>L = %{customdata[1]:.4g}<extra></extra>",
  });
  traces.push({
    type: "scatter", mode: "markers", name: "start θ₀", x: [paths.start[0]], y: [paths.start[1]],
    marker: { symbol: "circle-open", size: 16, color: "black", line: { width: 3 } },
    hovertemplate: "start θ₀<br>(%{x:.4g}, %{y:.4g})<extra></extra>",
  });
  if (paths.fit_steps && base.fitX) {
    // The fit at the last step shown that is not after k.
    let f = 0;
    while (f + 1 < paths.fit_steps.length && paths.fit_steps[f + 1] <= k) f++;
    const npt = base.fitX.length;
    for (const p of paths.paths) {
      if (!p.fit) continue;
      traces.push({
        type: "scatter", mode: "lines", name: p.label, legendgroup: p.name, showlegend: false,
        meta: `fit:${p.name}`, xaxis: "x2", yaxis: "y2", x: base.fitX, y: p.fit.subarray(f * npt, (f + 1) * npt),
        line: { color: p.color, width: 2.5 }, hoverinfo: "skip",
      });
    }
  }
  return traces;
}

function figure(state) {
  const extra = theoryTraces(state);
  const insp = inspectorTraces(state);
  let layout = state.base.layout;
  const present = !!state.paths.present;
  if (insp.annotations.length || present) {
    layout = { ...layout, annotations: [...(layout.annotations || []), ...insp.annotations] };
  }
  if (present) layout = presentLayout(layout, presentHeight(state));
  let data = [...state.base.fixed, ...pathTraces(state), ...extra, ...insp.traces];
  // Thicker lines for a projector (copies: the base's traces are shared by every draw).
  if (present) data = data.map((t) => (t.line && t.line.width ? { ...t, line: { ...t.line, width: t.line.width * 1.8 } } : t));
  return { data, layout };
}

// ------------------------------------------------------------------------------ presentation mode

// The map for a projector: as tall as the window allows with the controls on screen, large fonts.
// The map's top on the page is taken when it is first drawn (the lesson note may sit above it);
// the controls below it (about 80 px) stay on screen.
// The map at step k as one figure for plotly.js's image export: the contour under the paths (the
// page draws them in two layers), each short path's dots as markers (the page draws them on a
// canvas), the view the user has zoomed to, the caption's first line as the title, fonts and lines
// grown with the slide and, with `withLoss`, each path's loss L(θ_k) up to step k in a panel beside.
function slideFigure(state, width, height, withLoss) {
  const { data, layout: shown } = figure(state);
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
function downloadSlide(state, choice) {
  if (!state.Plotly || !state.base || !state.paths) return Promise.resolve();
  pause(state);
  const [size, loss] = choice.split("+");
  const [width, height] = size.split("x").map(Number);
  const fig = slideFigure(state, width, height, loss === "loss");
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

function presentHeight(state) {
  if (!state.presentHeight) {
    const top = state.dom.root.getBoundingClientRect().top + window.scrollY;
    state.presentHeight = Math.max(480, Math.round(window.innerHeight - top - 84));
  }
  return state.presentHeight;
}

function presentLayout(layout, height) {
  const out = structuredClone(layout);
  out.height = height;
  out.font = { ...out.font, size: 22 };
  out.hoverlabel = { font: { size: 20 } };
  out.legend = { ...out.legend, font: { size: 22 } };
  // The colour bar (on the map without a data panel, whose right margin is 100) sits 2 % of the plot's
  // width past it; its title and ticks at 22 px need about 200 px there, or "loss L (log)" is cut.
  out.margin = { ...out.margin, l: 80, b: 70, t: 100, r: out.margin.r >= 100 ? 200 : out.margin.r };
  for (const ax of ["xaxis", "yaxis", "xaxis2", "yaxis2"]) {
    if (out[ax]) out[ax] = { ...out[ax], tickfont: { size: 20 }, title: { ...(out[ax].title || {}), font: { size: 22 } } };
  }
  out.annotations = (out.annotations || []).map((a) => ({ ...a, font: { ...(a.font || {}), size: Math.max(20, (a.font || {}).size || 0) } }));
  return out;
}

// ------------------------------------------------------------------------------ theory overlays

// The local quadratic model at row k of the overlay: eigen-axes, and the level ellipse, the
// asymptotes or the flat direction (figures/map_data.py theory_overlay, optimizers/theory.py).
function modelTraces(ov, k, tag, color, dash) {
  const at = (c) => ov.at(k, c);
  const px = at("x"), py = at("y");
  const s1 = [at("s1x"), at("s1y")], s2 = [at("s2x"), at("s2y")];
  const kind = at("kind");
  const traces = [];
  const seg = (x, y, name, extra = {}) => traces.push({ type: "scatter", mode: "lines", x, y, showlegend: false,
    hoverinfo: "skip", meta: `theory:${tag}:${name}`, line: { color, width: 2.5, dash, ...extra } });
  for (const s of [s1, s2]) {
    if (Number.isFinite(s[0]) && Number.isFinite(s[1])) seg([px - s[0], px + s[0]], [py - s[1], py + s[1]], "axis");
  }
  if (kind === 0 || kind === 2) {
    const xs = [], ys = [];
    for (let i = 0; i <= 72; i++) {
      const t = (2 * Math.PI * i) / 72;
      xs.push(px + Math.cos(t) * s1[0] + Math.sin(t) * s2[0]);
      ys.push(py + Math.cos(t) * s1[1] + Math.sin(t) * s2[1]);
    }
    seg(xs, ys, "ellipse", { width: 2 });
  } else if (kind === 1) {
    for (const sign of [1, -1]) {
      const d = [s1[0] + sign * s2[0], s1[1] + sign * s2[1]];
      seg([px - 1.5 * d[0], px + 1.5 * d[0]], [py - 1.5 * d[1], py + 1.5 * d[1]], "asymptote", { width: 1.5, dash: "dot" });
    }
  } else {
    const f = [at("fx"), at("fy")];
    const reach = Math.max(Math.hypot(s1[0] || 0, s1[1] || 0), Math.hypot(s2[0] || 0, s2[1] || 0), 1e-9) * 2;
    if (Number.isFinite(f[0])) seg([px - reach * f[0], px + reach * f[0]], [py - reach * f[1], py + reach * f[1]], "flat", { dash: "dash" });
  }
  return traces;
}

function theoryTraces(state) {
  const ov = state.paths.overlay;
  if (!ov) return [];
  const k = Math.min(state.k, ov.n - 1);
  return [...modelTraces(ov, 0, "start", "#475569", "solid"),
    ...(k > 0 ? modelTraces(ov, k, "step", "#db2777", "solid") : [])];
}

// The curvature's words come with the overlay (optimizers/results.py, the engine's one word table).
function modelWords(ov, k) {
  const l1 = ov.at(k, "lam1"), l2 = ov.at(k, "lam2"), kappa = ov.at(k, "kappa"), kind = ov.at(k, "kind");
  const flag = kind === 1 ? ' <span class="pg-flag">saddle</span>' : kind === 3 ? ' <span class="pg-flag">singular</span>' : "";
  return `λ₁ = ${fmt(l1)}, λ₂ = ${fmt(l2)}, κ = ${Number.isFinite(kappa) ? fmt(kappa) : "∞"} (${(ov.kind_words || [])[kind] || "?"})${flag}`;
}

function showTheory(state) {
  const ov = state.paths && state.paths.overlay;
  const el = state.dom.theory;
  if (!ov) { el.innerHTML = ""; return; }
  const k = Math.min(state.k, ov.n - 1);
  el.innerHTML = `<div data-role="model-start"><b>Local model at θ₀</b> (grey): ${modelWords(ov, 0)}</div>` +
    `<div data-role="model-step" data-step="${k}"><b>at θ_${k} of ${state.paths.overlay_label}</b> (pink): ${modelWords(ov, k)}</div>`;
}

// ------------------------------------------------------------------------------ step inspector

function inspectorTraces(state) {
  const ins = state.paths.inspector;
  const out = { traces: [], annotations: [] };
  if (!ins) return out;
  const k = Math.min(state.k, ins.n - 1);
  const px = ins.at(k, "x"), py = ins.at(k, "y");
  const width = state.paths.present ? 4 : 2.5;
  const view = viewBox(state);
  for (const [key, , color] of ins.arrows) {
    const dx = ins.at(k, `${key}_x`), dy = ins.at(k, `${key}_y`);
    if (!Number.isFinite(dx) || !Number.isFinite(dy) || (dx === 0 && dy === 0)) continue;
    // Annotations are not clipped by the axes: an arrow leaving the view ends at its edge.
    const t = clipSegment(px, py, dx, dy, view);
    if (!(t > 0)) continue;
    out.annotations.push({ x: px + t * dx, y: py + t * dy, ax: px, ay: py, xref: "x", yref: "y", axref: "x",
      ayref: "y", showarrow: true, arrowhead: 2, arrowsize: 1.2, arrowwidth: width, arrowcolor: color, text: "" });
  }
  // Whatever the optimizer's record lists (figures/map_data.py step_inspector): polylines and
  // marker sets, each with its points at step k.
  const cv = ins.curves;
  if (cv && k < cv.steps) {
    const np = cv.points, nl = cv.lines.length;
    cv.lines.forEach(([name, color, dash], j) => {
      const off = (k * nl + j) * np * 2, xs = [], ys = [];
      for (let i = 0; i < np; i++) { xs.push(px + ins.curveData[off + 2 * i]); ys.push(py + ins.curveData[off + 2 * i + 1]); }
      out.traces.push({ type: "scatter", mode: "lines+markers", x: xs, y: ys, name: `δ(λ), ${name}`, showlegend: false,
        meta: `inspector:curve:${j}`, line: { color, width: 2, dash },
        marker: { size: 4 }, hovertemplate: `δ(λ), ${name}<extra></extra>` });
    });
  }
  for (const m of ins.markerSets) {
    const xs = [], ys = [];
    for (let i = m.start[k]; i < m.start[k + 1]; i++) { xs.push(px + m.points[2 * i]); ys.push(py + m.points[2 * i + 1]); }
    if (!xs.length) continue;
    const hover = m.hover.replace(/\{(\w+)\}/g, (_, col) => fmt(ins.at(k, col)));
    out.traces.push({ type: "scatter", mode: "markers", x: xs, y: ys, name: m.name, showlegend: false,
      meta: `inspector:${m.key}`, marker: m.marker, hovertemplate: `${hover}<extra></extra>` });
  }
  return out;
}

// The map's current view [x0, x1, y0, y1] (the user's zoom once drawn, else the surface's box).
function viewBox(state) {
  const fl = state.plotted && state.dom.plot._fullLayout;
  const x = fl && fl.xaxis ? fl.xaxis.range : state.base.xrange;
  const y = fl && fl.yaxis ? fl.yaxis.range : state.base.yrange;
  return [Math.min(x[0], x[1]), Math.max(x[0], x[1]), Math.min(y[0], y[1]), Math.max(y[0], y[1])];
}

// How much of the segment p -> p + d (t in [0, 1]) lies in the box before it leaves it
// (Liang-Barsky); 0 when p itself is outside.
function clipSegment(px, py, dx, dy, [x0, x1, y0, y1]) {
  if (px < x0 || px > x1 || py < y0 || py > y1) return 0;
  let t = 1;
  for (const [d, room] of [[-dx, px - x0], [dx, x1 - px], [-dy, py - y0], [dy, y1 - py]]) {
    if (d > 0) t = Math.min(t, room / d);
  }
  return t;
}

function cell(ins, k, col) {
  const show = (c) => { const v = ins.at(k, c); return Number.isNaN(v) ? "—" : fmt(v); }; // NaN: none at step k
  const v = Array.isArray(col) ? col.map(show) : [show(col)];
  return v.length > 1 ? `(${v.join(", ")})` : v[0];
}

function showInspector(state) {
  const ins = state.paths && state.paths.inspector;
  const el = state.dom.inspector;
  if (!ins) { el.innerHTML = ""; return; }
  const k = Math.min(state.k, ins.n - 1);
  const keys = ins.arrows.map(([, text, color]) => `<span><span class="pg-key" style="background:${color}"></span>${text}</span>`).join(" &nbsp; ");
  const extra = ins.legend ? ` &nbsp; <span>${ins.legend}</span>` : "";
  // Two label-value pairs a row, so the table stays short under the map.
  const cells = ins.table.map(([label, col]) => `<th>${label}</th><td data-col="${Array.isArray(col) ? col.join(",") : col}">${cell(ins, k, col)}</td>`);
  let rows = "";
  for (let i = 0; i < cells.length; i += 2) rows += `<tr>${cells[i]}${cells[i + 1] || ""}</tr>`;
  el.innerHTML = `<div><b>Step inspector: ${ins.label}, step k = <span data-role="inspector-step">${k}</span></b></div>` +
    `<div>${keys}${extra}</div><table data-role="inspector-table">${rows}</table>`;
}

// The contour layer: drawn once per surface; afterwards only moved to follow the top layer's zoom.
function drawBackground(state) {
  const { base, Plotly } = state;
  const bg = state.dom.bg;
  const present = !!state.paths.present;
  // In presentation mode the layer below takes the same height and margins as the one above.
  const layout = present ? { ...presentLayout(base.bgLayout, presentHeight(state)), annotations: [] }
    : structuredClone(base.bgLayout);
  bg.style.height = `${layout.height}px`;
  const key = `${base.key}|${present ? layout.height : ""}`;
  if (state.bgKey === key) return Promise.resolve();
  state.bgKey = key;
  return Plotly.react(bg, [base.contour], layout, { staticPlot: true });
}

// A dot at each step of a short path (`markers` in its payload), up to step k. Drawn on a canvas
// under the paths' transparent layer, in the paths' colour (a dot and its line look the same on top
// of each other): as SVG markers, plotly.js built and styled a node per dot on every redraw, about
// half of a redraw's time with four 60-step paths.
function drawDots(state) {
  const gd = state.dom.plot, canvas = state.dom.dots;
  const fl = gd._fullLayout;
  if (!fl || !state.paths) return;
  const ratio = window.devicePixelRatio || 1;
  const w = gd.clientWidth, h = gd.clientHeight;
  if (canvas.width !== Math.round(w * ratio) || canvas.height !== Math.round(h * ratio)) {
    canvas.width = Math.round(w * ratio);
    canvas.height = Math.round(h * ratio);
    canvas.style.width = `${w}px`;
    canvas.style.height = `${h}px`;
  }
  const ctx = canvas.getContext("2d");
  ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
  ctx.clearRect(0, 0, w, h);
  const xa = fl.xaxis, ya = fl.yaxis;
  ctx.save();
  ctx.beginPath();
  ctx.rect(xa._offset, ya._offset, xa._length, ya._length);
  ctx.clip();
  const radius = state.paths.present ? 4.5 : 2.5; // the markers' size 5, and 1.8 times on a projector
  let drawn = 0;
  for (const p of state.paths.paths) {
    if (!p.markers || p.n === 0) continue;
    ctx.fillStyle = p.color;
    ctx.beginPath();
    const j = Math.min(state.k, p.n - 1) + 1;
    for (let i = 0; i < j; i++) {
      const x = xa._offset + xa.l2p(p.x[i]), y = ya._offset + ya.l2p(p.y[i]);
      if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
      ctx.moveTo(x + radius, y);
      ctx.arc(x, y, radius, 0, 2 * Math.PI);
      drawn++;
    }
    ctx.fill();
  }
  ctx.restore();
  gd.dataset.dots = String(drawn);
}

function followZoom(state) {
  if (state.zoomQueued) return;
  state.zoomQueued = true;
  requestAnimationFrame(() => {
    state.zoomQueued = false;
    const fl = state.dom.plot._fullLayout, bl = state.dom.bg._fullLayout;
    if (!fl || !bl) return;
    const x = fl.xaxis.range.slice(), y = fl.yaxis.range.slice();
    const same = (p, q) => Math.abs(p[0] - q[0]) + Math.abs(p[1] - q[1]) < 1e-12;
    if (same(x, bl.xaxis.range) && same(y, bl.yaxis.range)) return;
    drawDots(state); // the view moved (draw and resize draw the dots themselves)
    state.Plotly.relayout(state.dom.bg, { "xaxis.range": x, "yaxis.range": y });
  });
}

function showStep(state) {
  const n = state.paths ? state.paths.n_steps : 0;
  state.dom.slider.max = String(n);
  state.dom.slider.value = String(state.k);
  state.dom.label.textContent = `step k = ${state.k}`;
  state.dom.play.textContent = state.timer ? "❚❚" : "▶";
  state.dom.play.title = state.timer ? "Pause (space)" : "Play (space)";
  state.dom.root.classList.toggle("pg-present", !!(state.paths && state.paths.present));
  showTheory(state);
  showInspector(state);
}

// Redraw with the current paths and step. Only the path traces are new objects; the contour trace
// is the same object every time, so Plotly.react leaves it alone.
function draw(state) {
  if (!state.base || !state.paths || !state.Plotly) return Promise.resolve();
  showStep(state);
  const fig = figure(state);
  // Not plotly's `responsive`: it sizes the plot from its container, which collapsed to 0 px when
  // drawn during a rerun. The height is the layout's; the width follows a ResizeObserver.
  // No "Share chart" to Plotly's cloud (plotly.js shows it by default): the page has its own link.
  const config = { displaylogo: false, showSendToCloud: false, scrollZoom: false,
    modeBarButtonsToRemove: ["select2d", "lasso2d"] };
  const gd = state.dom.plot;
  gd.style.height = `${fig.layout.height}px`;
  const run = drawBackground(state).then(() =>
    state.plotted ? state.Plotly.react(gd, fig.data, fig.layout, config)
      : state.Plotly.newPlot(gd, fig.data, fig.layout, config));
  state.plotted = true;
  return run.then(() => {
    if (!state.listening) listenToPlot(state);
    drawDots(state);
    followZoom(state);
    gd.dataset.step = String(state.k);
    gd.dataset.base = state.base.key;
  });
}

// One frame at a time: a frame is drawn before the next is asked for, so a slow machine plays
// slower instead of piling up redraws.
function scheduleDraw(state) {
  if (state.drawing) {
    state.pending = true;
    return;
  }
  state.drawing = true;
  draw(state).finally(() => {
    state.drawing = false;
    if (state.pending) {
      state.pending = false;
      scheduleDraw(state);
    }
  });
}

function setStep(state, k) {
  const n = state.paths ? state.paths.n_steps : 0;
  state.k = Math.max(0, Math.min(n, Math.round(k)));
  scheduleDraw(state);
}

function pause(state) {
  if (state.timer) clearInterval(state.timer);
  state.timer = null;
  showStep(state);
}

// Playing advances with the clock, not per frame: a race lasts about the same time on any machine,
// and a slow redraw (about 60-150 ms here, software rendering) skips steps instead of dragging.
function playDuration(n) {
  return Math.min(PLAY_MAX_MS, Math.max(PLAY_MIN_MS, n * PLAY_MS_PER_STEP));
}

function play(state) {
  if (!state.paths) return;
  const n = state.paths.n_steps;
  if (state.timer) return pause(state);
  if (state.k >= n) state.k = 0;
  const duration = playDuration(n);
  const t0 = performance.now() - (state.k / Math.max(n, 1)) * duration;
  state.timer = setInterval(() => {
    if (state.drawing) return; // the last frame is still being drawn
    const k = Math.min(n, Math.floor(((performance.now() - t0) / duration) * n));
    if (k !== state.k) setStep(state, k);
    if (k >= n) pause(state);
  }, FRAME_MS);
  showStep(state);
}

// The point of the parameter-space plot under a mouse event, or null outside it.
function pointAt(state, ev) {
  const gd = state.dom.plot, fl = gd._fullLayout;
  if (!fl || !state.base) return null;
  const xa = fl.xaxis, ya = fl.yaxis, box = gd.getBoundingClientRect();
  const px = ev.clientX - box.left - xa._offset, py = ev.clientY - box.top - ya._offset;
  if (px < 0 || py < 0 || px > xa._length || py > ya._length) return null;
  return [xa.p2d(px), ya.p2d(py)];
}

function listenToPlot(state) {
  state.listening = true;
  const gd = state.dom.plot;
  gd.on("plotly_relayout", () => followZoom(state));
  gd.on("plotly_relayouting", () => followZoom(state));
  // Plotly sends a click (its own, after a press without a drag) to the element pressed: a click
  // that was a pan or a zoom never arrives here.
  let down = null;
  gd.addEventListener("mousedown", (ev) => { down = [ev.clientX, ev.clientY]; }, true);
  gd.addEventListener("click", (ev) => {
    if (!down || Math.hypot(ev.clientX - down[0], ev.clientY - down[1]) > 4) return;
    down = null;
    const p = pointAt(state, ev);
    if (!p) return;
    const [x0, x1] = state.base.xrange, [y0, y1] = state.base.yrange;
    if (!(p[0] >= x0 && p[0] <= x1 && p[1] >= y0 && p[1] <= y1)) return;
    pause(state);
    state.setTriggerValue("start", [Math.round(p[0] * 1000) / 1000, Math.round(p[1] * 1000) / 1000]);
  }, true);
  gd.addEventListener("mousemove", (ev) => {
    const p = pointAt(state, ev);
    const [a, b] = state.base.axisLabels;
    state.dom.readout.textContent = p
      ? `${a} = ${fmt(p[0])}, ${b} = ${fmt(p[1])}: L = ${fmt(lossAt(state.base, p[0], p[1]))} (click to start here)`
      : "";
    state.dom.help.style.display = p ? "none" : "";
  });
  gd.addEventListener("mouseleave", () => {
    state.dom.readout.textContent = "";
    state.dom.help.style.display = "";
  });
}

function onKey(state, ev) {
  if (ev.altKey || ev.ctrlKey || ev.metaKey) return;
  if (ev.key === " " || ev.key === "k") play(state);
  else if (ev.key === "ArrowRight" || ev.key === "ArrowUp") { pause(state); setStep(state, state.k + 1); }
  else if (ev.key === "ArrowLeft" || ev.key === "ArrowDown") { pause(state); setStep(state, state.k - 1); }
  else if (ev.key === "Home") { pause(state); setStep(state, 0); }
  else if (ev.key === "End") { pause(state); setStep(state, Number.MAX_SAFE_INTEGER); }
  else return;
  ev.preventDefault();
}

// Keys work on the focused map, and for a presentation also when nothing else has the focus (then
// only space, ← and →: ↑ and ↓ keep scrolling the page).
let activeMap = null;
document.addEventListener("keydown", (ev) => {
  const t = ev.target;
  if (!activeMap || !activeMap.dom.root.isConnected) return;
  if (t !== document.body && t !== document.documentElement) return;
  if (ev.key === " " || ev.key === "ArrowLeft" || ev.key === "ArrowRight") onKey(activeMap, ev);
});

function createState(parentElement) {
  const dom = buildDom(parentElement);
  const state = { dom, k: 0, timer: null, base: null, bgKey: null, paths: null, Plotly: null, plotted: false,
    drawing: false, zoomQueued: false,
    pending: false, listening: false, setTriggerValue: () => {} };
  dom.play.addEventListener("click", () => play(state));
  dom.png.addEventListener("click", () => downloadSlide(state, dom.slide.value));
  dom.slider.addEventListener("input", () => {
    const k = Number(dom.slider.value); // read before pause() writes the current step back
    pause(state);
    setStep(state, k);
  });
  dom.root.addEventListener("keydown", (ev) => {
    if (ev.target === dom.slider && ev.key !== " ") return; // the range input steps by itself
    onKey(state, ev);
  });
  const resize = new ResizeObserver(() => {
    if (state.plotted && state.Plotly) {
      state.Plotly.Plots.resize(dom.bg);
      state.Plotly.Plots.resize(dom.plot).then(() => drawDots(state));
    }
  });
  resize.observe(dom.root);
  // In presentation mode the map follows the window's height (a projector's resolution).
  const onWindow = () => {
    if (!state.paths || !state.paths.present) return;
    state.presentHeight = null;
    scheduleDraw(state);
  };
  window.addEventListener("resize", onWindow);
  state.cleanup = () => {
    pause(state);
    resize.disconnect();
    window.removeEventListener("resize", onWindow);
    if (state.Plotly && state.plotted) {
      state.Plotly.purge(dom.plot);
      state.Plotly.purge(dom.bg);
    }
  };
  return state;
}

export function mountMap({ data: wrapped, parentElement, setTriggerValue }) {
  const data = wrapped && wrapped[0];
  ensureStyle();
  let state = maps.get(parentElement);
  if (!state) {
    state = createState(parentElement);
    state.release = releaser(parentElement, state);
    maps.set(parentElement, state);
  }
  activeMap = state;
  state.setTriggerValue = setTriggerValue;
  // Streamlit may call again with the same data (e.g. when the run ends): nothing to redraw.
  const signature = JSON.stringify(data);
  if (signature === state.signature) return state.release;
  state.signature = signature;
  state.presentHeight = null; // measured again on the next draw
  const paths = decodePaths(data);
  const wasAtEnd = !state.paths || state.k >= state.paths.n_steps;
  state.paths = paths;
  // New paths open complete, unless the user was scrubbing: then stay at that step.
  state.k = wasAtEnd ? paths.n_steps : Math.min(state.k, paths.n_steps);
  if (paths.start_step !== undefined) state.k = Math.min(paths.start_step, paths.n_steps); // the lecture's reveal
  pause(state);
  if (paths.autoplay) play(state);
  // Paths are drawn on their own surface only: until its base arrives, nothing is redrawn.
  const attach = () => {
    state.base = bases.get(paths.base) || null;
    return state.base !== null;
  };
  if (!attach()) {
    const listener = (key) => {
      if (key === paths.base && state.paths === paths && attach()) {
        baseListeners.delete(listener);
        scheduleDraw(state);
      }
    };
    baseListeners.add(listener);
  }
  loadPlotly(new URL(data.plotly_url, document.baseURI).href)
    .then((Plotly) => {
      state.Plotly = Plotly;
      scheduleDraw(state);
    })
    .catch((err) => {
      state.dom.plot.innerHTML = `<div class="pg-map-error">The map could not be drawn: ${err.message}</div>`;
    });
  return state.release;
}

function releaser(parentElement, state) {
  // Streamlit calls this when the element unmounts, and also when a newer call overtook this one
  // while it was starting: only a map that left the page is torn down.
  return () => {
    setTimeout(() => {
      if (parentElement.isConnected && maps.get(parentElement) === state) return;
      maps.delete(parentElement);
      if (activeMap === state) activeMap = null;
      state.cleanup();
    }, 0);
  };
}
