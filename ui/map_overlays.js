// The map's teaching overlays: the theory overlay (the local quadratic model at step k) and the step
// inspector (one path's update at step k, drawn on the map and tabulated under it), from the packed
// tables of figures/map_data.py.

import { fmt } from "./map_base.js";

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

export function theoryTraces(state) {
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

export function showTheory(state) {
  const ov = state.paths && state.paths.overlay;
  const el = state.dom.theory;
  if (!ov) { el.innerHTML = ""; return; }
  const k = Math.min(state.k, ov.n - 1);
  el.innerHTML = `<div data-role="model-start"><b>Local model at θ₀</b> (grey): ${modelWords(ov, 0)}</div>` +
    `<div data-role="model-step" data-step="${k}"><b>at θ_${k} of ${state.paths.overlay_label}</b> (pink): ${modelWords(ov, k)}</div>`;
}

// ------------------------------------------------------------------------------ step inspector

export function inspectorTraces(state) {
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

export function showInspector(state) {
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

