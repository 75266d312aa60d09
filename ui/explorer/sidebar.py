"""The explorer's sidebar: draws the scene's settings (`scenes.explorer`) and returns its choices.

Also the callbacks that move several settings at once: picking a lesson preset, switching
surface (its suggested α and steps), a click on the map (θ₀).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import streamlit as st

import optimizers
import surfaces
from figures import explorer as fx
from figures import optimizer_color
from optimizers import theory
from optimizers.run_ids import split_run_id
from optimizers.schedules import SCHEDULES
from scenes import explorer as scene
from scenes.explorer import NO_PRESET, PRESETS, ExplorerChoices
from scenes.pins import MAX_PINS, Pin
from scenes.problem import Problem
from scenes.settings import fmt
from ui import common, components
from ui.settings import WIDENED, UrlState, draw, forget

EXPANDER_SUFFIX = "_open"  # `<run>_open`: whether the run's expander of settings is open
LIMIT_STOPS = (0.8, 0.9, 0.95, 1.0, 1.05, 1.1, 1.25)  # extra α stops around a stability limit
MARGINAL_RTOL = 1e-9  # α within this relative distance of the limit is "at the limit"


# --------------------------------------------------------------------------- callbacks


def _apply_preset() -> None:
    """on_change of the preset picker: reset every setting (hidden ones too), then set the preset's."""
    name = st.session_state.get("preset", NO_PRESET)
    if name == NO_PRESET:
        return
    forget([s.key for s in scene.TABLE if s.key != "preset"] + list(scene.REGISTRY_KEYS))  # a fresh scene
    settings = PRESETS[name].settings
    info = surfaces.SURFACES[settings.get("surface", scene.DEFAULT_SURFACE)]
    st.session_state["start_x"], st.session_state["start_y"] = map(float, info.default_start)
    widened = st.session_state.setdefault(WIDENED, {})
    for key, value in settings.items():
        st.session_state[key] = value
        if isinstance(value, float):  # a log slider takes the preset's value as a stop (SGD α = 0.009)
            widened[key] = {**widened.get(key, {}), "stops": (*widened.get(key, {}).get("stops", ()), value)}


def _apply_a_linked_preset(url: UrlState) -> None:
    """A link that names a preset and sets nothing the preset sets (`?preset=lm_rejects`, typed by
    hand) opens the lesson's scene, as picking the preset does; a link that also sets the scene (a
    copied URL) keeps its own values."""
    name = url.pending.get("preset")
    if name not in PRESETS:
        return  # none, or not a preset: the picker's own check warns about it
    if any(key in url.pending for key in PRESETS[name].settings if PRESETS[name].owns(key)):
        return
    st.session_state["preset"] = name
    _apply_preset()


def _drop_a_stale_preset() -> None:
    """Before the preset picker is drawn: once a setting the preset set has changed (another
    surface, other optimizers, another α), the scene is no longer the lesson, so its banner and its
    `preset=` go. The open tab and the smoothing are only ways of looking at the same scene."""
    name = st.session_state.get("preset", NO_PRESET)
    if name not in PRESETS:
        return
    preset = PRESETS[name]
    for key, value in preset.settings.items():
        if not preset.owns(key) or key not in st.session_state:
            continue
        current = st.session_state[key]
        same = list(current) == list(value) if isinstance(value, list) else current == value
        if not same:
            st.session_state["preset"] = NO_PRESET
            return


def _on_surface_change() -> None:
    """After the picker moved θ₀ to the new surface's start: its suggested step budget and learning
    rates (a link or a preset sets values explicitly instead). A deselected optimizer gets the new
    surface's α too."""
    name = st.session_state["surface"]
    st.session_state["steps"] = scene.steps_default(name)
    for run in scene.RUN_IDS:
        lr = scene.lr_default(run, name)
        if lr is not None:
            st.session_state[f"{run}_lr"] = float(lr)


def on_map_click(x: float, y: float) -> None:
    """A click on the map (reported by the map component) makes the clicked point θ_0."""
    st.session_state["start_x"], st.session_state["start_y"] = x, y


# --------------------------------------------------------------------------- the sidebar


def sidebar(url: UrlState) -> ExplorerChoices:
    """Draw the sidebar; the scene it sets (`scenes.explorer.scene` of the drawn values)."""
    sb = st.sidebar
    _apply_a_linked_preset(url)
    _drop_a_stale_preset()
    values: dict[str, Any] = {"preset": draw(scene.PRESET, url, container=sb, on_change=_apply_preset)}

    sb.header("Loss surface", divider="gray")
    problem = components.problem_picker(
        url, default_surface=scene.DEFAULT_SURFACE, container=sb, on_surface_change=_on_surface_change
    )

    sb.header("Optimizers", divider="gray")
    chosen = values["opts"] = draw(scene.OPTS, url, container=sb)
    for run in chosen:
        name, copy = split_run_id(run)
        title = scene.run_label(run)
        # A closed expander's widgets are not drawn (nor sent, nor rendered): their values still
        # count, from the session state and the link. Opening it reruns and draws them.
        box = sb.expander(title, expanded=len(chosen) <= 2, key=f"{run}{EXPANDER_SUFFIX}", on_change="rerun")
        with box:
            if box.open:
                st.markdown(
                    common.swatch(
                        optimizer_color(run), f"<b>{title}</b> — {optimizers.OPTIMIZERS[name].description}"
                    ),
                    unsafe_allow_html=True,
                )
            hyper = _hyperparameters(run, url, problem, hidden=not box.open)
            values |= {f"{run}_{k}": v for k, v in hyper.items()}
            if box.open:
                _lr_limit_caption(run, hyper, problem)
                _pin_button(run)
            if copy > 1:
                values |= _schedule(run, url, container=st, hidden=not box.open)

    sb.header("Training", divider="gray")
    values["steps"] = draw(scene.STEPS, url, container=sb, default=scene.steps_default(problem.surface))
    values |= _schedule("sgd", url, container=sb)
    chart = sb.container()  # the schedule over the run's epochs, once the minibatch size is known
    values["noise"] = draw(scene.NOISE, url, container=sb)
    values["seed"] = draw(scene.SEED, url, container=sb)
    data = problem.build_surface().data
    per_epoch = 1
    if data is not None:
        m = len(data[0])
        values["batch"] = draw(scene.BATCH, url, container=sb, default=m, high=m)
        per_epoch = m // values["batch"]
    values[scene.PINS.key] = draw(scene.PINS, url, hidden=True)  # set by the Pin buttons
    choices = scene.scene(values, problem=problem)
    st.session_state[LAST_SCENE] = choices  # what a Pin button pins: the run as it is drawn now
    if choices.schedule is not None:
        steps = choices.steps
        epochs = -(-steps // per_epoch)  # the epochs the run's steps touch (the last may be partial)
        curve = common.schedule_curve(choices.schedule, max(epochs, 2))
        chart.plotly_chart(
            fx.schedule_figure(curve), key="schedule_chart", width="stretch", theme=None,
            config={**common.PLOTLY_CONFIG, "displayModeBar": False},
        )  # fmt: skip
        if per_epoch > 1:
            chart.caption(f"{steps} steps of {per_epoch} per epoch: {epochs} epochs.")
    return choices


LAST_SCENE = "_explorer_scene"  # session_state: the scene of the last run (the Pin buttons read it)


def _pin_button(run: str) -> None:
    """ "Pin this run": keep the run as it is now on the map and loss chart (up to `MAX_PINS`)."""
    choices = st.session_state.get(LAST_SCENE)
    pinned = full = False
    if choices is not None and run in choices.optimizers:
        pinned = Pin(run, choices.hyper_of(run), choices.schedule_of(run)) in choices.pins
        full = len(choices.pins) >= MAX_PINS
    why = f"Keep this run, dashed, while you change its settings (at most {MAX_PINS} pins)."
    st.button(
        "📌 Pin this run", key=f"{run}_pin", on_click=_pin, args=(run,), disabled=full or pinned, help=why
    )


def _pin(run: str) -> None:
    """on_click of a Pin button: add the run as the last scene drew it to the scene's pins."""
    choices = st.session_state.get(LAST_SCENE)
    if choices is None or run not in choices.optimizers:
        return
    pin = Pin(run, choices.hyper_of(run), choices.schedule_of(run))
    if pin in choices.pins or len(choices.pins) >= MAX_PINS:
        return
    st.session_state[scene.PINS.key] = scene.pins_query((*choices.pins, pin), choices.surface)


def _hyperparameters(run: str, url: UrlState, problem: Problem, hidden: bool) -> dict[str, Any]:
    """A run's hyperparameter widgets: α starts at the surface's suggestion, and its slider has
    extra stops around the stability limit, to explore it."""
    name = split_run_id(run)[0]
    lr = scene.lr_default(run, problem.surface)
    defaults = None if lr is None else {"lr": lr}
    momentum = float(st.session_state.get(f"{run}_momentum", _param_default(name, "momentum")))
    limit = _step_limit(name, {"momentum": momentum}, problem)
    stops = {}
    if limit is not None:
        (p,) = [p for p in optimizers.OPTIMIZERS[name].hyper if p.name == "lr"]
        near = {float(f"{limit.lr * f:.3g}") for f in LIMIT_STOPS} | {float(limit.lr)}
        stops["lr"] = tuple(sorted(v for v in near if p.low <= v <= p.high))
    return components.hyperparameter_inputs(
        name, url, defaults=defaults, run=run, hidden=hidden, extra_stops=stops
    )


def _param_default(name: str, param: str) -> float:
    return next((p.default for p in optimizers.OPTIMIZERS[name].hyper if p.name == param), 0.0)


def _schedule(run: str, url: UrlState, container, hidden: bool = False) -> dict[str, Any]:
    """A run's learning-rate schedule (the page's for "sgd"; a copy's own): its values by key."""
    choice, params = scene.schedule_settings(run)
    kind = draw(choice, url, container=container, hidden=hidden)
    out = {choice.key: kind}
    for s in params[kind]:
        out[s.key] = draw(s, url, container=container, hidden=hidden)
    if not hidden and choice.key == scene.SCHEDULE.key:
        container.latex(SCHEDULES[kind].formula)
    return out


def _step_limit(opt: str, values: dict[str, Any], problem: Problem) -> theory.StepLimit | None:
    """The stable-lr bound of `opt` at θ₀ (None for methods without one or a bad point)."""
    return _limit_at_start(opt, problem, float(values.get("momentum", 0)))


@common.shared_cache(maxsize=256)
def _limit_at_start(opt: str, problem: Problem, momentum: float) -> theory.StepLimit | None:
    """`_step_limit`, cached: the Hessian at θ₀ is taken once per scene, not on every rerun."""
    try:
        with np.errstate(all="ignore"):
            limit = theory.step_limit(opt, problem.build_surface(), problem.start, momentum)
    except (ValueError, TypeError):
        return None
    return limit if limit is not None and np.isfinite(limit.lr) else None


def limit_verdict(lr: float, limit: theory.StepLimit, certain: bool = True) -> str | None:
    """What α against the limit says, from the numbers: None below it; at it (within rounding) the
    slowest direction neither grows nor shrinks; beyond it the run diverges when that is certain
    (a constant Hessian, a constant α, exact full-batch gradients), else it may."""
    if lr < limit.lr * (1 - MARGINAL_RTOL):
        return None
    if lr <= limit.lr * (1 + MARGINAL_RTOL):
        what = "the step across the valley flips sign without shrinking or growing: the run neither "
        what += "converges nor diverges along it" if limit.exact and certain else "the run may not converge"
        return f"α = {fmt(lr)} is exactly at this limit: {what}."
    verb = "diverges" if limit.exact and certain else "may diverge"
    return f"α = {lr:.3g} is beyond this limit: the run {verb}."


def _lr_limit_caption(run: str, values: dict[str, Any], problem: Problem) -> None:
    """Under an lr slider of SGD, momentum or Nesterov: the step-size limit 2/λ_max (or its
    momentum forms), exact on a constant Hessian, else local at θ₀; what α at or beyond it does
    (certain only with a constant α and the full batch: a schedule lowers α, minibatches change H)."""
    limit = _step_limit(split_run_id(run)[0], values, problem)
    if limit is None:
        return
    where = "exact: constant Hessian" if limit.exact else "local, at θ₀"
    st.caption(f"Stable for α < {limit.formula} = {limit.lr:.3g} ({where}).")
    schedule = st.session_state.get(scene.schedule_prefix(run), "constant")
    batch = st.session_state.get(scene.BATCH.key)
    data = problem.build_surface().data
    full = data is None or batch is None or batch >= len(data[0])
    verdict = limit_verdict(float(values.get("lr", 0.0)), limit, certain=schedule == "constant" and full)
    if verdict:
        st.caption(f":orange[{verdict}]")


def beyond_limit_phrase(run: str, choices: ExplorerChoices) -> str:
    """' α = 0.12 > 2/λ_max = 0.1.' when the chosen α is beyond the step-size limit, else ''."""
    values = dict(choices.hyper_of(run))
    limit = _step_limit(split_run_id(run)[0], values, choices.problem)
    lr = float(values.get("lr", 0.0))
    if limit is None or lr <= limit.lr * (1 + MARGINAL_RTOL):
        return ""
    where = "" if limit.exact else " at θ₀"
    return f" α = {lr:.3g} > {limit.formula} = {limit.lr:.3g}{where}."
