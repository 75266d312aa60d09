"""Pinned runs drawn faded and dashed in their optimizer's colour, on the map and the loss chart.

A pinned run (`scenes.pins`) travels with the live runs through the same figure builders
(`figures.map_data.map_paths`, `figures.explorer.loss_figure`) under its pin id ("pin1", ...);
these functions then restyle its entries, so a pin looks like its run, only fainter.
"""

from __future__ import annotations

from collections.abc import Mapping

from figures import optimizer_color

DASH = "dash"
OPACITY = 0.55


def style_map_paths(paths: dict, pinned: Mapping[str, str]) -> dict:
    """`map_paths`' payload with each pinned path (pin id -> its run id) dashed, faded, in its
    run's colour, without a dot per step (the live run keeps those)."""
    for entry in paths.get("paths", []):
        run = pinned.get(entry["name"])
        if run is not None:
            entry.update(color=optimizer_color(run), dash=DASH, opacity=OPACITY, markers=False)
    return paths


def style_loss_figure(figure: dict, pinned: Mapping[str, str]) -> dict:
    """`loss_figure`'s figure with each pinned run's curves dashed and faded, in its run's colour."""
    for trace in figure["data"]:
        run = pinned.get(trace.get("legendgroup"))
        if run is not None:
            trace["line"] = {**trace.get("line", {}), "color": optimizer_color(run), "dash": DASH}
            trace["opacity"] = OPACITY * float(trace.get("opacity", 1.0))
    return figure
