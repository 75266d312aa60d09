// The one loader of plotly.js for the page's components (ui/landscape_map.js, ui/plot_chart.js):
// whichever asks first adds the script; every later call gets the same promise.
// The modules import this file at their own version (ui/map_component.py: `helper_import`).

export function loadPlotly(url) {
  if (window.Plotly) return Promise.resolve(window.Plotly);
  if (!window.__playgroundPlotly) {
    window.__playgroundPlotly = new Promise((resolve, reject) => {
      const script = document.createElement("script");
      script.src = url;
      script.async = true;
      script.onload = () => resolve(window.Plotly);
      script.onerror = () => {
        window.__playgroundPlotly = null;
        reject(new Error(`plotly.js did not load from ${url}`));
      };
      document.head.appendChild(script);
    });
  }
  return window.__playgroundPlotly;
}
