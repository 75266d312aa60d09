"""The widgets of the searched hyperparameters: pick one or two of an optimizer's searchable
hyperparameters, each with a range (low, high) and a scale, and validate them into `sweeps.Range`s.
Their settings are declared in `scenes.search`."""

from __future__ import annotations

import streamlit as st

import optimizers
import sweeps
from scenes.search import NONE, pair_settings, range_settings, searchable
from ui.settings import UrlState, draw


def pair_controls(
    url: UrlState, opt: str, prefix: str, second_default: str | None = None
) -> tuple[list[str], tuple[sweeps.Range, ...] | None]:
    """Pick one or two hyperparameters of ``opt``, each with a range and a scale; keys start with
    ``prefix``. Returns the chosen names and their Ranges; on a bad range (all widgets are drawn
    first, so none loses its value) it shows st.error and returns None for the Ranges."""
    params = {p.name: p for p in searchable(optimizers.OPTIMIZERS[opt].hyper)}
    first_setting, second_setting = pair_settings(prefix, opt)
    c1, c2 = st.columns(2)
    first = draw(first_setting, url, container=c1)
    rest = (NONE, *(n for n in params if n != first))
    default = second_default if second_default in rest else rest[min(1, len(rest) - 1)]
    second = draw(second_setting, url, container=c2, options=rest, default=default)
    chosen = [first] + ([] if second == NONE else [second])
    raw = [
        _range_controls(url, col, params[n], opt, prefix) for col, n in zip((c1, c2), chosen, strict=False)
    ]
    try:
        for p, low, high, _ in raw:
            p.validate(low)
            p.validate(high)
        return chosen, tuple(sweeps.Range(p.name, low, high, log=log) for p, low, high, log in raw)
    except ValueError as exc:
        st.error(str(exc))
        return chosen, None


def _range_controls(url: UrlState, col, p, opt: str, prefix: str) -> tuple:
    """Widgets for one range: (param, low, high, log) as typed, not yet validated."""
    low_setting, high_setting, scale_setting = range_settings(prefix, opt, p)
    c1, c2 = col.columns(2)
    low = draw(low_setting, url, container=c1)
    high = draw(high_setting, url, container=c2)
    scale = draw(scale_setting, url, container=col)
    return p, low, high, scale == "log"
