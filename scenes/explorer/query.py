"""Values to choices and back: `scene(values)` turns setting values (typed, or the URL's text)
into an `ExplorerChoices` with the page's defaults, fallbacks and warnings; `to_query` /
`from_query` write and read the explorer's URL query; `link_query` is the search page's "open in
the explorer" link. Pure: no streamlit, no plotly.
"""

from __future__ import annotations

import dataclasses
import urllib.parse
from collections.abc import Mapping
from typing import Any

import optimizers
import surfaces
from optimizers.run_ids import split_run_id
from scenes.explorer.choices import ExplorerChoices, pairs
from scenes.explorer.table import (
    BATCH,
    MAX_STEPS,
    NOISE,
    OPTS,
    PINS,
    PRESET,
    RUN_IDS,
    SEED,
    START_X,
    START_Y,
    STEPS,
    SURFACE,
    TABLE,
    VIEW_CONTROLS,
    hyper_settings,
    lr_default,
    run_defaults,
    schedule_settings,
    steps_default,
)
from scenes.pins import parse_pins, with_defaults
from scenes.problem import Problem, surface_param_settings
from scenes.settings import Setting, clamped_warning, fmt, read

# --------------------------------------------------------------------------- values <-> choices


def _value(setting: Setting, values: Mapping[str, Any], warnings: list[str], **overrides: Any) -> Any:
    """A setting's value from `values`: typed, or the URL's text (checked, with the page's warning
    and the default when it cannot be used); the default when absent."""
    s = dataclasses.replace(setting, **overrides) if overrides else setting
    if s.key not in values:
        return s.default
    raw = values[s.key]
    value, warning = read(s, raw) if isinstance(raw, str) else (raw, None)
    if warning:
        warnings.append(warning)
    if s.kind in ("int", "float") and s.beyond == "clamp" and s.high is not None and value > s.high:
        if isinstance(raw, str):
            warnings.append(clamped_warning(s, raw, type(value)(s.high)))
        value = type(value)(s.high)  # the page's own limit (a link asking for more steps)
    return value


def scene(values: Mapping[str, Any], problem: Problem | None = None) -> ExplorerChoices:
    """The explorer's choices for `values` (setting key -> value, typed or as the URL's text),
    with the page's defaults for what is absent and its fallbacks (and warnings) for what cannot be
    used. Unknown keys are ignored; hidden settings (an optimizer not raced) do not count.
    `problem`: the surface and θ₀ already chosen (the sidebar's picker, which keeps the last
    formula that worked), instead of reading them from `values`."""
    warnings: list[str] = []
    preset = _value(PRESET, values, warnings)
    if problem is not None:
        return _choices(preset, problem, values, warnings)
    surface = _value(SURFACE, values, warnings)
    sinfo = surfaces.SURFACES[surface]
    params = {
        s.key.removeprefix(f"{surface}_"): _value(s, values, warnings)
        for s in surface_param_settings(surface)
    }
    surface_params = pairs(params)
    start = tuple(
        round(float(_value(s, values, warnings, default=float(d))), 4)
        for s, d in zip((START_X, START_Y), sinfo.default_start, strict=True)
    )
    return _choices(preset, Problem(surface, surface_params, start), values, warnings)  # type: ignore[arg-type]


def _choices(
    preset: str, problem: Problem, values: Mapping[str, Any], warnings: list[str]
) -> ExplorerChoices:
    surface = problem.surface
    chosen = tuple(_value(OPTS, values, warnings))
    hyper = []
    for run in chosen:
        lr = lr_default(run, surface)
        own = {}
        for s in hyper_settings(run):
            default = {"default": lr} if lr is not None and s.key == f"{run}_lr" else {}
            own[s.key.removeprefix(f"{run}_")] = _value(s, values, warnings, **default)
        hyper.append((run, pairs(own)))
    steps = int(_value(STEPS, values, warnings, default=steps_default(surface)))
    schedules = {}
    for run in ("page", *chosen):
        if run != "page" and split_run_id(run)[1] == 1:
            continue  # an optimizer's first run follows the page's schedule
        choice, params_of = schedule_settings("sgd" if run == "page" else run)
        kind = _value(choice, values, warnings)
        kinds = {s.key.removeprefix(f"{choice.key}_"): _value(s, values, warnings) for s in params_of[kind]}
        schedules[run] = None if kind == "constant" else pairs({"kind": kind, **kinds})
    noise = float(_value(NOISE, values, warnings))
    seed = int(_value(SEED, values, warnings))
    batch_size = None
    data = problem.build_surface().data
    if data is not None:
        m = len(data[0])
        bs = int(_value(BATCH, values, warnings, default=m, high=m))
        batch_size = None if bs >= m else bs
    page_schedule = schedules.pop("page")
    pins = parse_pins(_value(PINS, values, warnings), RUN_IDS)
    pins = tuple(with_defaults(pin, run_defaults(pin.run, surface)) for pin in pins)
    return ExplorerChoices(
        preset, problem, chosen, tuple(hyper), steps, page_schedule, noise, seed, batch_size,
        tuple(schedules.items()), tuple(warnings), pins,
    )  # fmt: skip


def _defaults(choices: ExplorerChoices) -> dict[str, Any]:
    """The values the page takes with no link, on this surface and race (the surface's suggested
    α, steps and start; the registry's defaults)."""
    base = scene({"surface": choices.surface, "opts": list(choices.optimizers)}).values()
    return base | {"surface": SURFACE.default, "opts": list(OPTS.default)}


def drawn_settings(choices: ExplorerChoices) -> dict[str, Setting]:
    """Key -> Setting of everything the page draws for this scene (the schedules' parameters of
    the chosen kinds only)."""
    settings = {s.key: s for s in (*TABLE, *VIEW_CONTROLS, *surface_param_settings(choices.surface))}
    values = choices.values()
    for run in ("sgd", *choices.optimizers):  # "sgd": the page's own schedule
        if run in choices.optimizers:
            settings |= {s.key: s for s in hyper_settings(run)}
        choice, params = schedule_settings(run)
        settings[choice.key] = choice
        settings |= {s.key: s for s in params[values.get(choice.key, "constant")]}
    return settings


def to_query(choices: ExplorerChoices | Mapping[str, Any], **view: Any) -> str:
    """The explorer's URL query for a scene (only what differs from the page's defaults), the
    inverse of `from_query`; `view` adds view settings (`ema`, `tol`, `view`, `theory`, ...)."""
    if not isinstance(choices, ExplorerChoices):
        choices = scene(choices)
    defaults, settings = _defaults(choices), drawn_settings(choices)
    query = {}
    for key, value in {**choices.values(), **view}.items():
        s = settings.get(key)
        if s is None:
            continue
        default = defaults.get(key, s.default)
        same = list(value) == list(default) if isinstance(value, list | tuple) else value == default
        if not same:
            query[key] = s.text(value)
    return urllib.parse.urlencode(query, safe=",~")


def from_query(query: str) -> ExplorerChoices:
    """The scene of an explorer URL's query string (`to_query`'s inverse)."""
    return scene(dict(urllib.parse.parse_qsl(query.lstrip("?"), keep_blank_values=True)))


def link_query(
    problem: Problem, optimizer: str, hyper: Mapping[str, Any], steps: int
) -> tuple[dict[str, str], list[str]]:
    """Query parameters that open the explorer on one run (the search page's "open in explorer"):
    the scene's own text, with what its sliders cannot take clamped. Returns (query, notes on
    what was clamped)."""
    notes = []
    if steps > MAX_STEPS:
        notes.append(f"steps {steps} → {MAX_STEPS} (the explorer's maximum)")
    values: dict[str, Any] = {
        "surface": problem.surface,
        "start_x": problem.start[0],
        "start_y": problem.start[1],
        "opts": [optimizer],
        "steps": min(int(steps), MAX_STEPS),
    }
    values |= {f"{problem.surface}_{k}": v for k, v in problem.surface_params}
    params = {p.name: p for p in optimizers.OPTIMIZERS[optimizer].hyper}
    for name, value in hyper.items():
        p = params.get(name)
        if p is not None and p.choices is None and p.low is not None and p.high is not None:
            clamped = min(max(value, p.low), p.high)
            if clamped != value:
                notes.append(f"{name} {fmt(value)} → {fmt(clamped)} (its slider's range)")
            value = clamped
        values[f"{optimizer}_{name}"] = value
    settings = {s.key: s for s in (SURFACE, START_X, START_Y, OPTS, STEPS)}
    settings |= {s.key: s for s in surface_param_settings(problem.surface)}
    settings |= {s.key: s for s in hyper_settings(optimizer)}
    query = {key: (settings[key].text(v) if key in settings else str(v)) for key, v in values.items()}
    return query, notes
