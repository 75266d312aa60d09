// A Plotly chart that stays mounted (see ui/plot_component.py): each rerun hands over a figure dict
// and the chart already on the page is redrawn with Plotly.react, never purged and rebuilt.
// `data-revision` on the chart counts the redraws that finished (tests and benchmarks wait on it).

const charts = new WeakMap(); // parentElement -> chart state

// plotly.js is loaded once per page through the one shared loader (ui/plotly_loader.js), fetched
// at this module's own version (its `?v=` hash covers the loader too: ui/map_component.py).
const plotlyLoader = import(new URL(`./plotly_loader.js${new URL(import.meta.url).search}`, import.meta.url).href);
const loadPlotly = (url) => plotlyLoader.then((m) => m.loadPlotly(url));

function createState(parentElement) {
  const gd = document.createElement("div");
  gd.className = "pg-plot";
  gd.style.width = "100%";
  parentElement.appendChild(gd);
  const state = { gd, Plotly: null, plotted: false, drawing: false, next: null, signature: null, revision: 0 };
  // Not plotly's `responsive` (it sized from a container that can be 0 px during a rerun): the
  // height is the layout's, the width follows the container.
  state.resize = new ResizeObserver(() => {
    if (state.plotted) state.Plotly.Plots.resize(gd);
  });
  state.resize.observe(parentElement);
  return state;
}

// One redraw at a time; a figure that arrives meanwhile replaces any other waiting one.
function draw(state) {
  if (state.drawing || !state.next || !state.Plotly) return;
  const { figure, config } = state.next;
  state.next = null;
  state.drawing = true;
  const gd = state.gd;
  gd.style.height = `${figure.layout.height || 360}px`;
  const run = state.plotted
    ? state.Plotly.react(gd, figure.data, figure.layout, config)
    : state.Plotly.newPlot(gd, figure.data, figure.layout, config);
  state.plotted = true;
  Promise.resolve(run)
    .catch((err) => {
      gd.textContent = `The chart could not be drawn: ${err.message}`;
    })
    .finally(() => {
      state.drawing = false;
      state.revision += 1;
      gd.dataset.revision = String(state.revision);
      draw(state);
    });
}

export function mountPlot({ data: wrapped, parentElement }) {
  const data = wrapped[0]; // `[payload]`: see `as_data` in ui/map_component.py
  let state = charts.get(parentElement);
  if (!state) {
    state = createState(parentElement);
    charts.set(parentElement, state);
  }
  // Streamlit may call again with the same data (e.g. when the run ends): nothing to redraw.
  const signature = JSON.stringify(data.figure);
  if (signature !== state.signature) {
    state.signature = signature;
    state.next = { figure: data.figure, config: data.config };
    loadPlotly(new URL(data.plotly_url, document.baseURI).href)
      .then((Plotly) => {
        state.Plotly = Plotly;
        draw(state);
      })
      .catch((err) => {
        state.gd.textContent = `The chart could not be drawn: ${err.message}`;
      });
  }
  return () => {
    // Called when the element unmounts, and also when a newer call overtook this one: only a
    // chart that left the page is torn down.
    setTimeout(() => {
      if (parentElement.isConnected && charts.get(parentElement) === state) return;
      charts.delete(parentElement);
      state.resize.disconnect();
      if (state.plotted) state.Plotly.purge(state.gd);
    }, 0);
  };
}
