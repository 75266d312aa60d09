"""The readout under the map (ui/map_base.js `readoutText`), run in Node on the base payload the page
sends: it gives the loss of the nearest contour-grid point, marked "≈", and names that grid point,
never a grid value passed off as the loss at the cursor."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

import surfaces
from figures import map_data as md
from figures import surface_grid

ROOT = Path(__file__).resolve().parents[1]
NODE = shutil.which("node")
pytestmark = pytest.mark.skipif(NODE is None, reason="needs Node.js to run the map's module")

NUMBER = r"(-?[0-9.]+(?:e[-+]?[0-9]+)?)"


def _readouts(base: dict, points: list[tuple[float, float]]) -> list[dict]:
    """readoutText and nearestGridLoss of ui/map_base.js at each point, on the decoded `base`."""
    script = f"""
    const m = await import({json.dumps((ROOT / "ui" / "map_base.js").as_uri())});
    const base = m.decodeBase({json.dumps(base)});
    const points = {json.dumps(points)};
    console.log(JSON.stringify(points.map(([x, y]) => ({{ text: m.readoutText(base, x, y),
      grid: m.nearestGridLoss(base, x, y) }}))));
    """
    out = subprocess.run(
        [NODE, "--input-type=module", "-e", script], capture_output=True, text=True, timeout=60, check=True
    )
    return json.loads(out.stdout)


@pytest.mark.parametrize(("name", "log_levels"), [("quadratic", False), ("rosenbrock", True)])
def test_the_readout_gives_the_nearest_grid_points_loss_and_says_so(name, log_levels):
    surface = surfaces.get_surface(name)
    grid = surface_grid(surface, 40)
    xs, ys, _ = grid
    base = md.map_base(surface, grid, log_levels=log_levels, key="k")
    (x0, x1), (y0, y1) = surface.bounds
    # Points between grid nodes (where the grid's value is not the cursor's loss) and one outside.
    points = [
        (x0 + 0.37 * (x1 - x0), y0 + 0.61 * (y1 - y0)),
        (x0 + 0.013 * (x1 - x0), y1),
        (x1 + 1.0, y0 - 1.0),
    ]
    for (x, y), got in zip(points, _readouts(base, points), strict=True):
        j = int(np.argmin(np.abs(xs - x)))
        i = int(np.argmin(np.abs(ys - y)))
        gx, gy = float(xs[j]), float(ys[i])
        grid_loss = float(surface.value(np.array([gx, gy])))
        assert got["grid"]["x"] == pytest.approx(gx, rel=1e-6, abs=1e-6)
        assert got["grid"]["y"] == pytest.approx(gy, rel=1e-6, abs=1e-6)
        # The value is the surface's loss at that grid point (float32 on the wire), not at the cursor.
        assert got["grid"]["loss"] == pytest.approx(grid_loss, rel=1e-4, abs=1e-6)
        text = got["text"]
        assert "L ≈ " in text and "L = " not in text
        shown = re.search(r"nearest grid point x = " + NUMBER + ", y = " + NUMBER + r"\)", text)
        assert shown, text
        assert float(shown.group(1)) == pytest.approx(gx, rel=1e-3, abs=1e-3)
        assert float(shown.group(2)) == pytest.approx(gy, rel=1e-3, abs=1e-3)
        loss = float(re.search(r"L ≈ " + NUMBER, text).group(1))
        assert loss == pytest.approx(grid_loss, rel=1e-3, abs=1e-6)


def test_between_grid_points_the_grid_value_differs_from_the_cursors_loss():
    """Why the readout must not say "L =": off the grid the two numbers differ."""
    surface = surfaces.get_surface("quadratic")
    grid = surface_grid(surface, 40)
    base = md.map_base(surface, grid, log_levels=False, key="k")
    (x0, x1), (y0, y1) = surface.bounds
    x, y = x0 + 0.37 * (x1 - x0), y0 + 0.61 * (y1 - y0)
    (got,) = _readouts(base, [(x, y)])
    assert abs(got["grid"]["loss"] - float(surface.value(np.array([x, y])))) > 1e-3
