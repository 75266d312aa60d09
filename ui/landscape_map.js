// The explorer's map element, owned by the browser (see ui/map_component.py and figures/map_data.py):
// its drawing, play/pause/step animation, hover readout and clicks.
//
// Two Streamlit Components v2 elements import this module (one module instance per page):
// - `mountBase` (ui/map_base.js) receives the surface's part and keeps it by its contour key.
// - `mountMap` receives the paths and draws the chart in two stacked Plotly layers: below, the
//   contour, drawn once per surface (recomputing it cost about 3/4 of every redraw); above, on a
//   transparent background, the paths, legend, hover and zoom, redrawn by Plotly.react on new
//   paths (uirevision keeps the user's zoom; the layer below follows it). Play, pause and the step
//   slider run here with no rerun and never touch the contour (the plotly.js animation frames that
//   erased it, plotly.js #4491, are gone).
// A click on the map sends the point back as the trigger value `start`. With `offline` in the
// paths' payload (a race exported as one file, export/page.py) plotly.js is the page's inline
// window.Plotly and nothing invites a click.
// Its parts are modules beside it, imported by relative path: the app's static copies carry the
// version in each import (ui/map_component.py), the export inlines them all.

import { bases, baseListeners, ensureStyle, f32, readoutText } from "./map_base.js";
import { inspectorTraces, showInspector, showTheory, theoryTraces } from "./map_overlays.js";
import { loadPlotly } from "./plotly_loader.js";
import { downloadSlide, SLIDE_CHOICES } from "./map_slide.js";

export { mountBase } from "./map_base.js";

const FRAME_MS = 40; // the play clock's tick
const PLAY_MS_PER_STEP = 60; // a play lasts this per step, within the bounds below
const PLAY_MIN_MS = 2500;
const PLAY_MAX_MS = 8000;

// ------------------------------------------------------------------------------ the map element

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
  const present = presenting(state);
  const phone = !present && window.innerWidth < PRESENT_MIN_WIDTH;
  if (insp.annotations.length || present) {
    layout = { ...layout, annotations: [...(layout.annotations || []), ...insp.annotations] };
  }
  if (present) layout = presentLayout(layout, presentHeight(state), state.presentTop);
  let data = [...state.base.fixed, ...pathTraces(state), ...extra, ...insp.traces];
  state.legendEntries = data.filter((t) => t.showlegend !== false && t.name).length; // both layers'
  if (phone) layout = phoneLayout(layout, state.legendEntries);
  // Thicker lines for a projector (copies: the base's traces are shared by every draw).
  if (present) data = data.map((t) => (t.line && t.line.width ? { ...t, line: { ...t.line, width: t.line.width * 1.8 } } : t));
  return { data, layout };
}

// ------------------------------------------------------------------------------ presentation mode

// A projector's sizes need a wide window: on a phone (a student following the lecture, ?room=) they
// leave the plot about 100 px wide and push the legend over the page above, so the map keeps the
// page's own sizes there.
const PRESENT_MIN_WIDTH = 640;

function presenting(state) {
  return !!(state.paths && state.paths.present) && window.innerWidth >= PRESENT_MIN_WIDTH;
}

// On a phone the legend wraps into more rows than the top margin holds, and the data panel's two
// titles overlap: the top margin grows with the legend's rows (on both layers; the plot keeps its
// height), the legend's font is smaller, and each title keeps the words after its colon.
function phoneLayout(layout, entries) {
  const out = structuredClone(layout);
  const plot = out.height - out.margin.t - out.margin.b;
  const top = Math.max(out.margin.t, Math.ceil(0.04 * plot) + entries * 30 + 12); // one entry a row
  out.height += top - out.margin.t;
  out.margin = { ...out.margin, t: top };
  out.legend = { ...(out.legend || {}), font: { size: 12 }, x: 0, xref: "container" }; // the screen's width
  out.annotations = (out.annotations || []).map((a) => ({ ...a, text: a.text.replace(/^<b>[^<:]*: /, "<b>") }));
  return out;
}

// The map for a projector: as tall as the window allows with the controls on screen, large fonts.
// The map's top on the page is taken when it is first drawn (the lesson note may sit above it);
// the controls below it (about 80 px) stay on screen.

function presentHeight(state) {
  if (!state.presentHeight) {
    const top = state.dom.root.getBoundingClientRect().top + window.scrollY;
    state.presentHeight = Math.max(480, Math.round(window.innerHeight - top - 84));
  }
  return state.presentHeight;
}

// `top`: the top margin the legend's rows need (`fitLegend`), at least 100 px.
function presentLayout(layout, height, top = 0) {
  const out = structuredClone(layout);
  out.height = height;
  out.font = { ...out.font, size: 22 };
  out.hoverlabel = { font: { size: 20 } };
  out.legend = { ...out.legend, font: { size: 22 } };
  // The colour bar (on the map without a data panel, whose right margin is 100) sits 2 % of the plot's
  // width past it; its title and ticks at 22 px need about 200 px there, or "loss L (log)" is cut.
  out.margin = { ...out.margin, l: 80, b: 70, t: Math.max(100, top), r: out.margin.r >= 100 ? 200 : out.margin.r };
  for (const ax of ["xaxis", "yaxis", "xaxis2", "yaxis2"]) {
    if (out[ax]) out[ax] = { ...out[ax], tickfont: { size: 20 }, title: { ...(out[ax].title || {}), font: { size: 22 } } };
  }
  out.annotations = (out.annotations || []).map((a) => ({ ...a, font: { ...(a.font || {}), size: Math.max(20, (a.font || {}).size || 0) } }));
  return out;
}

// The contour layer: drawn once per surface; afterwards only moved to follow the top layer's zoom.
function drawBackground(state) {
  const { base, Plotly } = state;
  const bg = state.dom.bg;
  const present = presenting(state);
  // In presentation mode the layer below takes the same height and margins as the one above.
  const phone = !present && window.innerWidth < PRESENT_MIN_WIDTH;
  const layout = present ? { ...presentLayout(base.bgLayout, presentHeight(state), state.presentTop), annotations: [] }
    : phone ? phoneLayout(base.bgLayout, state.legendEntries || 0) : structuredClone(base.bgLayout);
  bg.style.height = `${layout.height}px`;
  const key = `${base.key}|${present || phone ? `${layout.height}/${layout.margin.t}` : ""}`;
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
  const radius = presenting(state) ? 4.5 : 2.5; // the markers' size 5, and 1.8 times on a projector
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
  state.dom.root.classList.toggle("pg-present", presenting(state));
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
  const present = presenting(state);
  gd.style.height = `${fig.layout.height}px`;
  const run = drawBackground(state).then(() =>
    state.plotted ? state.Plotly.react(gd, fig.data, fig.layout, config)
      : state.Plotly.newPlot(gd, fig.data, fig.layout, config));
  state.plotted = true;
  return run.then(() => {
    if (present && fitLegend(state)) return draw(state); // the legend's rows ran above the map
    if (!state.listening) listenToPlot(state);
    drawDots(state);
    followZoom(state);
    gd.dataset.step = String(state.k);
    gd.dataset.base = state.base.key;
  });
}

// In presentation mode the legend's rows (22 px text, long labels such as LM's damping) can need
// more than the 100 px top margin: they then run up over the page above the map (the scene's title).
// After a draw, a legend whose top is above the map's grows the margin (both layers; the map keeps
// its height); it never shrinks back, so a redraw cannot flip between two sizes. True: redraw.
function fitLegend(state) {
  const gd = state.dom.plot;
  const legend = gd.querySelector(".legend");
  if (!legend) return false;
  const above = gd.getBoundingClientRect().top - legend.getBoundingClientRect().top;
  const top = Math.min(Math.ceil(gd._fullLayout.margin.t + above + 8), Math.round(0.4 * gd._fullLayout.height));
  if (above <= 0 || top <= (state.presentTop || 0)) return false; // fits, or as large as it gets
  state.presentTop = top;
  return true;
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
    state.dom.readout.textContent = p
      ? readoutText(state.base, p[0], p[1]) + (state.paths.offline ? "" : "; click to start here")
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
  dom.png.addEventListener("click", () => { pause(state); downloadSlide(state, figure, dom.slide.value); });
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
  // A click sets θ₀ in the app only: an exported file (`offline`) does not invite one.
  state.dom.help.textContent = "▶ plays the race, the slider scrubs it (space and ← → on the map)" +
    (paths.offline ? "." : "; click the map to start there.");
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
  // Offline, plotly.js is the page's inline copy; in the app the shared loader fetches it once.
  const plotly = data.offline ? Promise.resolve(window.Plotly) : loadPlotly(new URL(data.plotly_url, document.baseURI).href);
  plotly
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
