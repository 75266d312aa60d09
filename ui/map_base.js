// The map's base element: the surface's part of the map (contour, axes, minima, data panel), decoded
// once per surface and kept here by its contour key for the map element (ui/landscape_map.js), with
// the decoding helpers and the style both elements share.
// `mountBase` receives it; its payload is identical while the surface stays, so Streamlit's message
// cache sends it once; its element is hidden.

export const bases = new Map(); // contour key -> decoded base payload (a few, most recent last)
export const baseListeners = new Set(); // maps waiting for a base to arrive
const MAX_BASES = 4;

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

export function ensureStyle() {
  if (document.getElementById("pg-map-style")) return;
  const style = document.createElement("style");
  style.id = "pg-map-style";
  style.textContent = CSS;
  document.head.appendChild(style);
}

export function f32(b64) {
  if (b64 == null) return null;
  const bin = atob(b64);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return new Float32Array(bytes.buffer);
}

export function fmt(v) {
  if (!Number.isFinite(v)) return String(v);
  return Math.abs(v) >= 1e5 || (v !== 0 && Math.abs(v) < 1e-3) ? v.toExponential(3) : String(+v.toPrecision(4));
}

// ------------------------------------------------------------------------------ the base element

export function decodeBase(raw) {
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
  // Below: the contour, the grid and the parameter axes' tick labels and titles, never interactive
  // (it follows the top layer's zoom). The labels live here because the top layer is redrawn on
  // every new run and every step of a play: drawing its axes' labels was about a third of a redraw.
  const bgLayout = structuredClone(common);
  Object.assign(bgLayout, { paper_bgcolor: "white", plot_bgcolor: "white", showlegend: false });
  // Its tick marks (plotly.js's default here, 5 px) would push the labels out by their length:
  // ticklabelstandoff puts them back where the top layer drew them.
  for (const ax of [bgLayout.xaxis, bgLayout.yaxis]) Object.assign(ax, { showgrid: true, ticks: "outside", ticklen: 5, ticklabelstandoff: -5 });
  // Above: transparent, with the paths, legend, hover, zoom and the data panel (its axes labelled).
  const layout = structuredClone(common);
  for (const ax of [layout.xaxis, layout.yaxis]) Object.assign(ax, { showticklabels: false, title: { text: "" } });
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

// The readout under the map: the cursor's point, and the loss the map knows there. The page holds
// the loss on the contour grid only (the surface itself is Python's), so the readout gives the value
// at the nearest grid point, marked "≈", and names that point: the cursor's own loss may differ.
export function nearestGridLoss(base, x, y) {
  const nearest = (arr, v) => {
    const t = (v - arr[0]) / (arr[arr.length - 1] - arr[0]);
    return Math.max(0, Math.min(arr.length - 1, Math.round(t * (arr.length - 1))));
  };
  const i = nearest(base.ys, y), j = nearest(base.xs, x);
  const v = base.z[i][j];
  return { loss: base.log ? base.floor + Math.pow(10, v) - base.delta : v, x: base.xs[j], y: base.ys[i] };
}

export function readoutText(base, x, y) {
  const [a, b] = base.axisLabels;
  const g = nearestGridLoss(base, x, y);
  return `${a} = ${fmt(x)}, ${b} = ${fmt(y)}: L ≈ ${fmt(g.loss)} (at the nearest grid point ${a} = ${fmt(g.x)}, ${b} = ${fmt(g.y)})`;
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

