"""The in-place Plotly element's Python side (ui/plot_component.py): what it sends and serves."""

from __future__ import annotations

import base64
import json
import subprocess

import numpy as np

from ui import map_component as mc
from ui import plot_component as pc


def _decode(spec: dict) -> np.ndarray:
    """A typed-array spec back to an array, as plotly.js reads it (little-endian)."""
    dtype = {"f4": "<f4", "f8": "<f8", "i4": "<i4", "u1": "u1"}[spec["dtype"]]
    return np.frombuffer(base64.b64decode(spec["bdata"]), dtype=dtype)


def test_arrays_travel_as_typed_array_specs_that_decode_to_the_same_values():
    y = np.array([1.5, 1e-16, 3.25e4], dtype=np.float32)
    k = np.arange(3, dtype=np.int32)
    wire = pc.to_wire({"data": [{"x": k, "y": y, "name": "SGD"}], "layout": {"height": np.int64(360)}})
    json.dumps(wire)  # JSON-ready: no NumPy objects left
    trace = wire["data"][0]
    assert trace["y"]["dtype"] == "f4" and trace["x"]["dtype"] == "i4"
    np.testing.assert_array_equal(_decode(trace["y"]), y)
    np.testing.assert_array_equal(_decode(trace["x"]), k)
    assert wire["layout"]["height"] == 360 and trace["name"] == "SGD"


def test_other_arrays_are_converted_not_dropped():
    wire = pc.to_wire({"a": np.array([1, 2], dtype=np.int64), "b": np.array([[1.0, 2.0]]), "c": (1, 2)})
    np.testing.assert_array_equal(_decode(wire["a"]), [1.0, 2.0])  # int64: sent as float64
    assert wire["b"] == [[1.0, 2.0]] and wire["c"] == [1, 2]
    big_endian = np.array([0.5, 2.0], dtype=">f8")
    np.testing.assert_array_equal(_decode(pc.to_wire(big_endian)), big_endian)


def test_the_module_is_copied_into_static_never_committed_and_the_inline_js_is_small():
    version = pc.ensure_static_assets()
    copy = mc.STATIC_DIR / pc.MODULE_NAME
    assert copy.read_bytes() == pc.MODULE_SOURCE.read_bytes()
    copy.write_text("// outdated")
    assert pc.ensure_static_assets() == version and copy.read_bytes() == pc.MODULE_SOURCE.read_bytes()
    ignored = ["git", "check-ignore", "-q", f"static/{pc.MODULE_NAME}"]
    done = subprocess.run(ignored, cwd=mc.ROOT, capture_output=True, check=False)
    assert done.returncode == 0, "static/plot_chart.js is not ignored by git"
    loader = mc.loader("mountPlot", version, module=pc.MODULE_NAME)
    assert len(loader) < 400 and f"app/static/plot_chart.js?v={version}" in loader
