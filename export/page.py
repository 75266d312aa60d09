"""A race as one self-contained HTML file: plotly.js, the map's own browser code and the data inline.

The map is the explorer's: its browser module (`ui/landscape_map.js`) is inlined and mounted on the
payloads the page sends (`figures.map_data.map_base` / `map_paths`), so the file draws the same
contour, paths, legend, ▶ and step slider, with no server. The loss chart is
`figures.explorer.loss_figure`, LM's λ panel `damping_figure` where LM ran. plotly.js is the
cartesian bundle when a verified copy is in static/ (`figures.plotly_assets`), else the full bundle
from the plotly package. A Content-Security-Policy forbids every request: the file never
reaches a host, even if something in it tried.
"""

from __future__ import annotations

import html
import json
import os
import re
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import urlencode

import plotly
import plotly.io as pio

import surfaces
from export.race import Caption, Race
from figures import explorer as fx
from figures import js_modules, map_data, pins, plotly_assets, surface_grid

ROOT = Path(__file__).resolve().parents[1]
STATIC_DIR = ROOT / "static"  # where the app keeps the verified cartesian bundle (`figures.plotly_assets`)
FULL_BUNDLE = Path(plotly.__file__).resolve().parent / "package_data" / "plotly.min.js"
MAP_MODULE = ROOT / "ui" / "landscape_map.js"  # the map; its parts are found from its imports
DEFAULT_APP_URL = "http://localhost:8501/"  # `PLAYGROUND_APP_URL` or `--app-url` name the live app
# A line of a map module that imports (or re-exports) from a module beside it: in the file, every
# module is inlined into one script, so these lines go, as does each `export` keyword.
SIBLING_IMPORT_LINE = re.compile(r'^(?:import|export) \{[^}]*\} from "\./([A-Za-z0-9_]+\.js)";\n', re.M)
CSP = (
    "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
    "img-src data: blob:; font-src data:"
)


def plotly_js(env: Mapping[str, str] | None = None) -> tuple[str, str]:
    """(name, source) of the plotly.js to inline: the verified cartesian bundle, else the full one."""
    env = os.environ if env is None else env
    cartesian = STATIC_DIR / plotly_assets.CARTESIAN_NAME
    if plotly_assets.wants_cartesian(env) and plotly_assets.copy_verified(cartesian):
        return plotly_assets.CARTESIAN_NAME, cartesian.read_text(encoding="utf-8")
    return plotly_assets.FULL_NAME, FULL_BUNDLE.read_text(encoding="utf-8")


def map_module() -> str:
    """The map's browser modules (`figures.js_modules.module_files`) as one module script, the parts
    before the map: their imports of each other dropped, their exports plain declarations. The map
    reads `offline` in its payload (`payload`): plotly.js inline, no words about clicking."""
    files = js_modules.module_files(MAP_MODULE)
    names = {path.name for path in files}
    chunks = []
    for path in reversed(files):  # each part before the modules that import it
        source = path.read_text(encoding="utf-8")
        missing = set(SIBLING_IMPORT_LINE.findall(source)) - names
        if missing:
            raise RuntimeError(f"{path.name} imports {sorted(missing)}, which the export does not inline")
        source = SIBLING_IMPORT_LINE.sub("", source)
        source = re.sub(r"^export (?=(?:async )?(?:function|const|let|class) )", "", source, flags=re.M)
        if re.search(r"^\s*(?:import|export)\b", source, re.M):
            raise RuntimeError(f"{path.name} has an import or export the export cannot inline")
        chunks.append(f"// ---- ui/{path.name}\n{source}")
    return "\n".join(chunks)


def live_url(race: Race, app_url: str) -> str:
    """The link to the live scene: the app with the link's own settings."""
    query = urlencode(list(race.scene.query), safe=",~")
    return app_url + ("?" + query if query else "")


def payload(race: Race, caption: Caption) -> dict:
    """What the file's script draws: the map's two payloads and the charts' figures (JSON-ready)."""
    name = race.choices.surface
    log_levels = surfaces.SURFACES[name].log_levels
    grid = surface_grid(race.surface, map_data.grid_size(log_levels))
    key = map_data.contour_key(name, grid, log_levels)
    base = map_data.map_base(race.surface, grid, log_levels=log_levels, key=key)
    shown = {**race.trajectories, **race.pinned}
    labels = {**race.labels, **race.choices.pin_labels}
    paths = map_data.map_paths(race.surface, shown, start=race.choices.start, base_key=key, labels=labels)
    pins.style_map_paths(paths, race.pin_runs)  # pinned runs: dashed and faded
    paths["plotly_url"] = ""
    paths["offline"] = True  # plotly.js is inline (window.Plotly); a click sets nothing
    paths["caption"] = caption.headline  # drawn on the slide PNG
    loss = fx.loss_figure(shown, min_value=race.surface.min_value, smoothing=float(race.scene.view["ema"]),
                          labels=labels)  # fmt: skip
    pins.style_loss_figure(loss, race.pin_runs)
    damping = fx.damping_figure(race.trajectories, labels=race.labels)
    return {
        "base": base,
        "paths": paths,
        "loss": json.loads(pio.to_json(loss, validate=False)),
        "damping": None if damping is None else json.loads(pio.to_json(damping, validate=False)),
    }


def _script_json(value: object) -> str:
    """JSON safe inside a <script> element (no '</script>', no '<!--')."""
    return json.dumps(value, separators=(",", ":")).replace("<", "\\u003c")


def _inline_script(source: str) -> str:
    return source.replace("</script", "<\\/script")


def _caption_html(c: Caption, link: str) -> str:
    e = html.escape
    parts = []
    if c.lesson_title:
        parts.append(f"<h2>Lesson: {e(c.lesson_title)}</h2>")
        if c.lesson_note:
            role = "lesson-note" if c.lesson_holds else "lesson-fails"
            parts.append(f'<p class="note" data-role="{role}">{e(c.lesson_note)}</p>')
        if c.claims:
            items = "".join(f"<li>{e(text)}</li>" for text in c.claims)
            parts.append(f'<p>Checked on these runs:</p><ul data-role="claims">{items}</ul>')
    parts.append(f'<h2>Surface</h2><p data-role="surface">{e(c.surface)}</p>')
    items = "".join(f"<li><b>{e(label)}</b>: {e(words)}</li>" for label, words in c.runs)
    parts.append(f'<h2>Optimizers</h2><ul data-role="runs">{items}</ul>')
    if c.endings:
        head = "".join(f"<th>{e(h)}</th>" for h in c.endings[0])
        rows = "".join(
            "<tr>" + "".join(f"<td>{e(v)}</td>" for v in row.values()) + "</tr>" for row in c.endings
        )
        parts.append(
            f'<h2>How each run ended</h2><table data-role="endings"><tr>{head}</tr>{rows}</table>'
            '<p class="small">Steps to tolerance: the first step k with L(θ_k) − L* within the tolerance. '
            "Stopped at: where the gradient vanished, what kind of point the Hessian there says it is.</p>"
        )
    if c.notes:
        items = "".join(f"<li>{e(text)}</li>" for text in c.notes)
        parts.append(f'<h2>On the way</h2><ul data-role="notes">{items}</ul>')
    parts.append(
        f'<p>The live scene, to change it: <a data-role="live" href="{e(link)}">{e(link)}</a></p>'
        '<p class="small">Made with Optimizer Playground. This file needs no network: ▶ plays the race, '
        "the slider under the map scrubs it.</p>"
    )
    return "\n".join(parts)


STYLE = """
body { font-family: "Source Sans Pro", Helvetica, Arial, sans-serif; color: #262730; margin: 0 auto;
  max-width: 1280px; padding: 16px 24px; }
h1 { font-size: 28px; margin: 8px 0 4px; } h2 { font-size: 20px; margin: 20px 0 6px; }
.headline { font-size: 17px; margin: 0 0 8px; }
.charts { display: flex; flex-wrap: wrap; gap: 16px; align-items: flex-start; }
#map { flex: 3 1 560px; min-width: 0; } #side { flex: 2 1 380px; min-width: 0; }
.charts.wide #map, .charts.wide #side { flex-basis: 100%; }
table { border-collapse: collapse; font-size: 14px; } td, th { border-bottom: 1px solid #e6e9ef;
  padding: 4px 10px; text-align: left; vertical-align: top; }
.small { color: #6b7280; font-size: 13px; }
.note { background: #eef5ff; padding: 8px 12px; border-radius: 6px; }
#map-base { display: none; }
"""

BOOT = """
const data = JSON.parse(document.getElementById("race-data").textContent);
mountBase({ data: [data.base], parentElement: document.getElementById("map-base") });
mountMap({ data: [data.paths], parentElement: document.getElementById("map"), setTriggerValue: () => {} });
const config = { displaylogo: false, showSendToCloud: false, responsive: true };
Plotly.newPlot("loss", data.loss.data, data.loss.layout, config);
if (data.damping) Plotly.newPlot("damping", data.damping.data, data.damping.layout, config);
"""


def render(
    race: Race, caption: Caption, *, app_url: str = DEFAULT_APP_URL, env: Mapping[str, str] | None = None
) -> str:
    """The whole HTML file of a race."""
    e = html.escape
    _, plotly_source = plotly_js(env)
    title = caption.lesson_title or "Optimizer Playground: a race"
    wide = " wide" if race.surface.data is not None else ""  # map and data panel take the width
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{e(title)}</title>
<style>{STYLE}</style>
</head>
<body>
<h1>{e(title)}</h1>
<p class="headline" data-role="headline">{e(caption.headline)}</p>
<div class="charts{wide}">
<div id="map"></div>
<div id="side"><div id="loss"></div><div id="damping"></div></div>
</div>
<div id="map-base"></div>
<section id="caption">
{_caption_html(caption, live_url(race, app_url))}
</section>
<script>{_inline_script(plotly_source)}</script>
<script type="application/json" id="race-data">{_script_json(payload(race, caption))}</script>
<script type="module">{_inline_script(map_module())}
{BOOT}</script>
</body>
</html>
"""
