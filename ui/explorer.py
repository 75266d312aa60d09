"""The explorer page: race optimizers across a 2D loss surface.

Thin by design: `TABLE` declares the page's settings; the sidebar draws them (URL-backed, see
`ui.settings`) into an `ExplorerChoices`, which feeds cached engine runs
(`ui.common.run_optimizer`); the figure builders in `figures.explorer` draw the runs. The map is
a browser component (`ui.map_component`) that keeps its chart: it gets the contour once per surface
and new paths on each rerun, and plays and scrubs the race without rerunning the script.
"""

from __future__ import annotations

import os
import sys
import time
from dataclasses import dataclass
from typing import Any

import numpy as np
import streamlit as st

import optimizers
import surfaces
from export.race import headline_words
from figures import MAX_COPIES, map_data, optimizer_color, run_id, split_run_id
from figures import explorer as fx
from optimizers import theory
from optimizers.schedules import SCHEDULES
from ui import common, components, lessons, map_component, plot_component
from ui.settings import (
    WIDENED,
    Setting,
    SettingsTable,
    UrlState,
    draw,
    draw_tabs,
    forget,
)

DEFAULT_APP_URL = "http://localhost:8501/"  # the live link in a download when the page's own is unknown
GRID_N = 80  # contour grid points per axis (80 x 80 float32 is about 34 KB on the wire)

DEFAULT_SURFACE = lessons.DEFAULT_SURFACE
DEFAULT_OPTIMIZERS = list(lessons.DEFAULT_OPTIMIZERS)
EXPANDER_SUFFIX = "_open"  # `<run>_open`: whether the run's expander of settings is open
MAX_STEPS = (
    lessons.MAX_STEPS
)  # the steps slider's maximum (a link asking for more is clamped, with a warning)
# Each surface brings its own step budget and learning rates for the first-order methods
# (`SurfaceInfo.suggested_steps`, `.suggested_lr`): they are the page's defaults on that surface,
# and switching surface moves those sliders to them. The default race (elongated valley, condition
# 10, L = x² + 10y², 60 steps): SGD's α = 0.09 is just below its stability limit 2/20 across the
# valley, so it zig-zags across it yet, at this mild condition, is nearly optimal and gets closest
# (about 1e-9 above L*); momentum (α = 0.01) overshoots and spirals; RMSProp and Adam (α = 0.1)
# rescale each coordinate. Where RMSProp wins (κ = 100) is the "RMSProp in the elongated valley"
# preset, whose numbers tests/test_lessons.py checks.


# One or two sentences per optimizer, in the lecture's words.
EXPLANATIONS: dict[str, str] = {
    "sgd": "Step against the gradient, scaled by the learning rate α. With minibatches the "
    "gradient is the average over the m samples of the batch, so it is noisy.",
    "momentum": "The velocity v accumulates gradients with rate β (the 'friction', often 0.9); "
    "the step is largest when a sequence of gradients all point in the same direction.",
    "rmsprop": "s tracks the uncentered variance of the gradients. Dividing by √s damps the "
    "oscillation across an elongated valley and speeds progress along it, so a larger α works.",
    "adam": "Combines momentum (first moment m) and RMSProp (second moment v). Both start at "
    "zero, so they are bias-corrected (m̂, v̂) before the step.",
    "newton": "Uses the curvature (the Hessian H) from the second-order Taylor expansion to take "
    "a more direct route: 'we got rid of the learning rate!'. On a quadratic loss, such as "
    "linear regression, one step lands exactly on the minimum.",
    "gauss_newton": "For a loss that is a sum of squared residuals r, approximate the Hessian by "
    "2·JᵀJ: it needs only first derivatives of the residuals.",
    "lm": "A damped Gauss-Newton: λ is adjusted every iteration so that the loss decreases. Large "
    "λ behaves like gradient descent, small λ like Gauss-Newton; Marquardt's scaling uses "
    "diag(JᵀJ) instead of I.",
}

# Lesson presets, each with its claims as data (checked on the engine in tests/test_lessons.py).
PRESETS = lessons.PRESETS
NO_PRESET = "none"
VIEWS = ["Update rules", "Learning rate", "3D surface"]

# The page's settings, declared once: each is a widget and a URL name (see ui.settings). The
# registries add the rest: each surface's parameters (`<surface>_<param>`), each optimizer's
# hyperparameters (`<optimizer>_<name>`) and each schedule's (`sched_<name>`).
PRESET = Setting(
    "preset",
    "Lesson preset",
    "choice",
    NO_PRESET,
    options=(NO_PRESET, *PRESETS),
    option_label=lambda k: "— free exploration —" if k == NO_PRESET else PRESETS[k].title,
    help="Sets up a scene from the lecture; change anything afterwards.",
)
SURFACE = components.surface_setting(default=DEFAULT_SURFACE)
START_X, START_Y = components.start_settings()
# Runs: each optimizer once ("sgd"), then copies of it ("sgd~2", "sgd~3") to compare settings of
# one method; a copy has its own hyperparameters (`sgd~2_lr`) and schedule (`sgd~2_sched`).
RUN_IDS = tuple(run_id(name, copy) for copy in range(1, MAX_COPIES + 1) for name in optimizers.OPTIMIZERS)


def _run_option_label(run: str) -> str:
    name, copy = split_run_id(run)
    return optimizers.OPTIMIZERS[name].label + ("" if copy == 1 else f" #{copy} (a copy)")


OPTS = Setting(
    "opts",
    "Race these optimizers",
    "multi",
    tuple(DEFAULT_OPTIMIZERS),
    options=RUN_IDS,
    option_label=_run_option_label,
    help="Pick an optimizer again (“SGD #2”) to compare two settings of it: each copy has its own "
    "hyperparameters and schedule.",
)
STEPS = Setting(
    "steps",
    "Steps (iterations k)",
    "int",
    60,  # the surface's suggested budget, capped at MAX_STEPS
    low=1,
    high=MAX_STEPS,
    maximum=1_000_000,
    help="How many updates each optimizer makes. Each surface starts with a budget that lets the "
    "race finish.",
)
SCHEDULE = Setting(
    "sched",
    "Learning-rate schedule",
    "choice",
    "constant",
    options=tuple(SCHEDULES),
    option_label=lambda k: SCHEDULES[k].label,
    help="α_k = α₀ × the schedule's factor at the epoch of step k.",
)
NOISE = Setting(
    "noise",
    "Gradient noise σ",
    "float",
    0.0,
    low=0.0,
    high=5.0,
    maximum=1e6,
    step=0.05,
    help="Adds N(0, σ²) noise to every gradient, like minibatch noise.",
)
SEED = Setting("seed", "Noise seed", "int", 0, low=0, high=9999, style="number")
BATCH = Setting(
    "batch",
    "Minibatch size m",
    "int",
    1,  # default and range: the data set's size m
    low=1,
    high=1,
    help="Samples per iteration; m = all data is full-batch gradient descent. An epoch is one pass "
    "over the data.",
)
EMA = Setting(
    "ema",
    "EMA smoothing",
    "float",
    0.0,
    low=0.0,
    high=0.99,
    step=0.01,
    help="Exponential moving average of the curve, as for noisy training curves (0 = raw).",
)
TOL = Setting(
    "tol",
    "Tolerance for 'steps to tolerance': L(θ_k) − L* ≤",
    "log",
    1e-3,
    options=tuple(10.0**e for e in range(-10, 1)),
)
VIEW = Setting("view", "view", "choice", VIEWS[0], options=tuple(VIEWS))  # drawn as tabs
TABLE = SettingsTable(
    [
        PRESET,
        SURFACE,
        START_X,
        START_Y,
        OPTS,
        STEPS,
        SCHEDULE,
        NOISE,
        SEED,
        BATCH,
        EMA,
        TOL,
        VIEW,
    ]
)


def copy_schedule_settings(run: str) -> tuple[Setting, dict[str, list[Setting]]]:
    """A copy's own schedule: its choice (`<run>_sched`) and each kind's parameters
    (`<run>_sched_<name>`), declared like the page's."""
    prefix = lessons.schedule_prefix(run)
    params = {
        kind: [Setting.from_param(p, f"{prefix}_{p.name}") for p in info.params]
        for kind, info in SCHEDULES.items()
    }
    return Setting(prefix, "Its learning-rate schedule", "choice", "constant", options=tuple(SCHEDULES),
                   option_label=lambda k: SCHEDULES[k].label), params  # fmt: skip


def _copy_schedule_keys() -> set[str]:
    keys = set()
    for run in RUN_IDS:
        if split_run_id(run)[1] > 1:
            choice, params = copy_schedule_settings(run)
            keys |= {choice.key} | {s.key for settings in params.values() for s in settings}
    return keys


REGISTRY_KEYS = sorted(
    {f"{name}_{p.name}" for name, info in surfaces.SURFACES.items() for p in info.params}
    | {f"{run}_{p.name}" for run in RUN_IDS for p in optimizers.OPTIMIZERS[split_run_id(run)[0]].hyper}
    | {f"sched_{p.name}" for info in SCHEDULES.values() for p in info.params}
    | _copy_schedule_keys()
)


@dataclass(frozen=True)
class ExplorerChoices:
    """What the sidebar chose: plain, hashable values that the cached runs take."""

    preset: str
    problem: components.Problem
    optimizers: tuple[str, ...]
    hyper: tuple[tuple[str, tuple[tuple[str, Any], ...]], ...]  # (run id, its sorted (name, value))
    steps: int
    schedule: tuple[tuple[str, Any], ...] | None  # the page's: sorted ("kind", ...) pairs; None: constant
    noise: float
    seed: int
    batch_size: int | None  # None: the full batch
    # (run id, its schedule) for copies, which have their own; other runs use `schedule`.
    run_schedules: tuple[tuple[str, tuple[tuple[str, Any], ...] | None], ...] = ()

    @property
    def surface(self) -> str:
        return self.problem.surface

    @property
    def start(self) -> tuple[float, float]:
        return self.problem.start

    def hyper_of(self, run: str) -> tuple[tuple[str, Any], ...]:
        return dict(self.hyper)[run]

    def schedule_of(self, run: str) -> tuple[tuple[str, Any], ...] | None:
        return dict(self.run_schedules).get(run, self.schedule)

    @property
    def labels(self) -> dict[str, str]:
        """Run id -> legend label; runs of one optimizer say how they differ ("SGD, α 0.1, 1/t decay")."""
        specs = {
            run: (dict(self.hyper_of(run)), dict(self.schedule_of(run) or {"kind": "constant"}))
            for run in self.optimizers
        }
        return lessons.run_labels(specs)


# --------------------------------------------------------------------------- callbacks


def _apply_preset() -> None:
    """on_change of the preset picker: reset every setting (hidden ones too), then set the preset's."""
    name = st.session_state.get("preset", NO_PRESET)
    if name == NO_PRESET:
        return
    forget([s.key for s in TABLE if s.key != "preset"] + REGISTRY_KEYS)  # a preset is a fresh scene
    settings = PRESETS[name].settings
    surface = settings.get("surface", DEFAULT_SURFACE)
    info = surfaces.SURFACES[surface]
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
    if any(key in url.pending for key in PRESETS[name].settings if key not in ("view", "ema")):
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
    for key, value in PRESETS[name].settings.items():
        if key in ("view", "ema") or key not in st.session_state:
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
    info = surfaces.SURFACES[st.session_state["surface"]]
    st.session_state["steps"] = min(int(info.suggested_steps), MAX_STEPS)
    for opt, lr in info.suggested_lr.items():
        st.session_state[f"{opt}_lr"] = float(lr)


def _on_map_click(x: float, y: float) -> None:
    """A click on the map (reported by the map component) makes the clicked point θ_0."""
    st.session_state["start_x"], st.session_state["start_y"] = x, y


# --------------------------------------------------------------------------- sidebar


def _sidebar(url: UrlState) -> ExplorerChoices:
    sb = st.sidebar
    _apply_a_linked_preset(url)
    _drop_a_stale_preset()
    preset = draw(PRESET, url, container=sb, on_change=_apply_preset)

    sb.header("Loss surface", divider="gray")
    problem = components.problem_picker(
        url, default_surface=DEFAULT_SURFACE, container=sb, on_surface_change=_on_surface_change
    )
    info = surfaces.SURFACES[problem.surface]

    sb.header("Optimizers", divider="gray")
    chosen = draw(OPTS, url, container=sb)
    hyper, copy_schedules = [], {}
    for run in chosen:
        name, copy = split_run_id(run)
        oinfo = optimizers.OPTIMIZERS[name]
        title = _run_option_label(run)
        # A closed expander's widgets are not drawn (nor sent, nor rendered): their values still
        # count, from the session state and the link. Opening it reruns and draws them.
        box = sb.expander(title, expanded=len(chosen) <= 2, key=f"{run}{EXPANDER_SUFFIX}", on_change="rerun")
        with box:
            if box.open:
                st.markdown(
                    common.swatch(optimizer_color(run), f"<b>{title}</b> — {oinfo.description}"),
                    unsafe_allow_html=True,
                )
            lr = info.suggested_lr.get(name)  # the page's default α on this surface
            defaults = None if lr is None else {"lr": lr}
            values = components.hyperparameter_inputs(
                name, url, defaults=defaults, run=run, hidden=not box.open
            )
            if box.open:
                _lr_limit_caption(name, values, problem)
            hyper.append((run, common.params_tuple(values)))
            if copy > 1:
                copy_schedules[run] = _copy_schedule(run, url, hidden=not box.open)

    sb.header("Training", divider="gray")
    steps = draw(STEPS, url, container=sb, default=min(info.suggested_steps, MAX_STEPS))
    kind = draw(SCHEDULE, url, container=sb)
    sched_params = {
        p.name: draw(Setting.from_param(p, f"sched_{p.name}"), url, container=sb)
        for p in SCHEDULES[kind].params
    }
    schedule = None if kind == "constant" else common.params_tuple({"kind": kind, **sched_params})
    sb.latex(SCHEDULES[kind].formula)
    chart = sb.container()  # the schedule over the run's epochs, once the minibatch size is known
    noise = draw(NOISE, url, container=sb)
    seed = draw(SEED, url, container=sb)
    batch_size = None
    data = problem.build_surface().data
    per_epoch = 1
    if data is not None:
        m = len(data[0])
        bs = draw(BATCH, url, container=sb, default=m, high=m)
        batch_size = None if bs >= m else bs
        per_epoch = m // bs
    if kind != "constant":
        epochs = -(-steps // per_epoch)  # the epochs the run's steps touch (the last may be partial)
        curve = common.schedule_curve(schedule, max(epochs, 2))
        chart.plotly_chart(
            fx.schedule_figure(curve), key="schedule_chart", width="stretch", theme=None,
            config={"displayModeBar": False},
        )  # fmt: skip
        if per_epoch > 1:
            chart.caption(f"{steps} steps of {per_epoch} per epoch: {epochs} epochs.")
    return ExplorerChoices(
        preset, problem, tuple(chosen), tuple(hyper), steps, schedule, noise, seed, batch_size,
        tuple(copy_schedules.items()),
    )  # fmt: skip


def _copy_schedule(run: str, url: UrlState, hidden: bool = False) -> tuple[tuple[str, Any], ...] | None:
    """A copy's own learning-rate schedule (drawn inside its expander, unless `hidden`)."""
    choice, params = copy_schedule_settings(run)
    kind = draw(choice, url, hidden=hidden)
    values = {
        p.name: draw(s, url, hidden=hidden) for p, s in zip(SCHEDULES[kind].params, params[kind], strict=True)
    }
    return None if kind == "constant" else common.params_tuple({"kind": kind, **values})


def _join(names: list[str]) -> str:
    """'A', 'A and B', 'A, B and C'."""
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


# --------------------------------------------------------------------------- runs


def _runs(choices: ExplorerChoices, surface) -> tuple[dict[str, Any], list[str], list[str]]:
    """Cached runs of the chosen optimizers, notes for those that cannot run here (or meet
    something worth saying), and the methods run full-batch although a minibatch size is chosen.
    What fits where is the engine's call (`OptimizerInfo.supports`)."""
    trajs: dict[str, Any] = {}
    notes: list[str] = []
    full_batch: list[str] = []
    sname = surfaces.SURFACES[choices.surface].label
    for run in choices.optimizers:
        opt = split_run_id(run)[0]
        oinfo = optimizers.OPTIMIZERS[opt]
        support = oinfo.supports(surface)
        if not support.runs:
            notes.append(
                f"**{oinfo.label}** is not run: it approximates the Hessian by 2·JᵀJ of the "
                f"residuals, so it needs a loss that is a sum of squared residuals, L = Σ r_i². "
                f"The surface “{sname}” is not one. "
                + (
                    "Type your formula as residuals separated by ; (e.g. 1 - x; 10*(y - x^2)), "
                    "whose loss is the sum of their squares."
                    if surfaces.SURFACES[choices.surface].text_input
                    else "Pick linear regression, the curve fit or another least-squares surface."
                )
            )
            continue
        try:
            trajs[run] = common.run_optimizer(
                opt,
                choices.surface,
                choices.problem.surface_params,
                choices.start,
                choices.steps,
                choices.schedule_of(run),
                choices.noise,
                choices.seed,
                None if support.full_batch else choices.batch_size,
                choices.hyper_of(run),
            )
        except ValueError as exc:
            notes.append(f"**{oinfo.label}** could not run: {exc}")
            continue
        notes.extend(support.notes)
        if support.full_batch and choices.batch_size is not None:
            full_batch.append(oinfo.label)
    return trajs, list(dict.fromkeys(notes)), list(dict.fromkeys(full_batch))  # copies: once each


# --------------------------------------------------------------------------- views


@st.fragment
def _loss_view(
    url: UrlState,
    trajs: dict[str, Any],
    min_value: float | None,
    estimated: bool = False,
    labels: dict[str, str] | None = None,
    predicted: dict[str, Any] | None = None,
) -> None:
    """Loss against step with the EMA slider; a fragment, so smoothing reruns only this."""
    with url.fragment("loss"):
        w = draw(EMA, url)
    # Redrawn in place in the browser (st.plotly_chart remounted it on every new run).
    plot_component.plot(
        fx.loss_figure(trajs, min_value=min_value, smoothing=w, labels=labels, predicted=predicted),
        key="loss_chart",
    )
    if min_value is None and estimated:
        st.caption("No minimum was found inside the view box, so the loss is drawn as is.")
    elif min_value is None:
        st.caption("This surface has no minimum (L is unbounded below), so the loss is drawn as is.")
    else:
        about = "an estimate, " if estimated else ""
        st.caption(f"Distance of the loss to its minimum L* = {min_value:.4g} ({about}on a log scale).")


@st.fragment
def _summary_view(url: UrlState, trajs: dict[str, Any], surface, labels: dict[str, str]) -> None:
    """Summary table with its tolerance; a fragment, so the tolerance reruns only this."""
    with url.fragment("summary"):
        tol = draw(TOL, url)
    rows = fx.summary_rows(trajs, surface, tol=tol, labels=labels)
    never = "—" if surface.min_value is None else "not reached"  # no L* (saddle): nothing to reach
    cells = fx.summary_table(rows, never=never)
    # Short text cells that wrap instead of being cut off, as Markdown: cheaper on every rerun than a
    # table element (pandas and Arrow in the server, another script bundle in the browser).
    st.markdown(common.markdown_table(list(cells[0]), [list(row.values()) for row in cells]))
    st.caption(
        "Steps to tolerance: the first step k with L(θ_k) − L\\* within the tolerance above. "
        "Stopped at: where the gradient vanished, what kind of point the Hessian there says it is."
    )
    met = [
        f"**{labels.get(run, run)}**: {'; '.join(traj.notes)}." for run, traj in trajs.items() if traj.notes
    ]
    if met:
        st.caption("On the way: " + " ".join(met))


def _rates_view(trajs: dict[str, Any], labels: dict[str, str]) -> None:
    """The learning rates α_k, and LM's damping λ_k in a panel of its own."""
    if any(fx._has_alpha(t) for t in trajs.values()):
        plot_component.plot(fx.lr_figure(trajs, labels=labels), key="lr_chart")
        st.caption(
            "The learning rate α_k each optimizer used (schedules change it per epoch; dotted lines "
            "mark the epochs when minibatches make an epoch several steps). Newton and Gauss-Newton "
            "have a step scale α instead."
        )
    damping = fx.damping_figure(trajs, labels=labels)
    if damping is not None:
        st.plotly_chart(damping, key="damping_chart", width="stretch", theme=None)
        st.caption(
            "Levenberg-Marquardt has no learning rate: its damping λ_k sets the step. Step k tries "
            "(JᵀJ + λ_k D) δ = −Jᵀr; a dot marks an accepted trial (θ moves, λ ÷ 10), a cross a "
            "rejected one (θ stays, λ × 10). λ_0 is the initial damping."
        )


def _download_race(url: UrlState) -> None:
    """The race as one offline HTML file (`export`), built only when clicked: the callable reads the
    scene's URL values, complete by then (`UrlState.finish`), and the live app's address."""
    app_url = (st.context.url or DEFAULT_APP_URL).split("?", 1)[0]  # None under AppTest

    def build() -> bytes:
        from html import escape
        from urllib.parse import urlencode

        from export import SceneError, build_html
        from export.scene import plain

        try:
            return build_html(urlencode(url.values), app_url=app_url).encode("utf-8")
        except SceneError as err:  # e.g. a formula the page replaced by the last one that worked
            lines = "".join(f"<li>{escape(plain(m))}</li>" for m in err.messages)
            page = f"<!doctype html><meta charset=utf-8><p>This race cannot be exported:</p><ul>{lines}</ul>"
            return page.encode("utf-8")

    st.download_button("Download this race (HTML)", data=build, file_name="race.html", mime="text/html",
                       key="download_html", on_click="ignore", icon=":material/download:")  # fmt: skip


def _csv(trajs: dict[str, Any], labels: dict[str, str]) -> bytes:
    import pandas as pd

    frames = []
    for run, traj in trajs.items():
        df = traj.to_frame()
        df.insert(0, "optimizer", traj.optimizer)
        df.insert(1, "run", labels[run])
        frames.append(df)
    return pd.concat(frames, ignore_index=True).to_csv(index=False).encode()


def _update_rules(chosen: tuple[str, ...]) -> None:
    """Each chosen optimizer's rule and what it does, as one Markdown element (one element to send
    and render on every rerun instead of three per optimizer)."""
    parts = []
    for opt in dict.fromkeys(split_run_id(run)[0] for run in chosen):  # a copy shares its rule
        oinfo = optimizers.OPTIMIZERS[opt]
        parts += [
            common.swatch(optimizer_color(opt), f"<b>{oinfo.label}</b>"),
            f"$$\n{oinfo.formula.strip()}\n$$",
            EXPLANATIONS.get(opt, oinfo.description),
        ]
    if parts:
        st.markdown("\n\n".join(parts), unsafe_allow_html=True)


# --------------------------------------------------------------------------- overlays and inspector
# The page only draws: the maths is optimizers.theory, the packing figures.map_data. The overlays and
# the inspector travel with the map's paths and follow its scrubber in the browser (no rerun).

THEORY = Setting(
    "theory",
    "Theory overlays",
    "bool",
    False,
    help="The local quadratic model (Hessian eigen-directions, level ellipse or asymptotes, λ, κ) at "
    "θ₀ and at the scrubbed step, and on quadratics the predicted convergence on the loss chart.",
)
NO_INSPECT = "none"
INSPECT = Setting(
    "inspect",
    "Step inspector",
    "choice",
    NO_INSPECT,
    options=(NO_INSPECT, *RUN_IDS),
    option_label=lambda k: "— off —" if k == NO_INSPECT else _run_option_label(k),
    help="Arrows at θ_k (gradient, velocity, scaling, Newton or quasi-Newton direction, LM's step "
    "curve) and the numbers at step k; follows the step slider under the map.",
)


def _step_limit(opt: str, values: dict[str, Any], problem: components.Problem) -> theory.StepLimit | None:
    """The stable-lr bound of `opt` at θ₀ (None for methods without one or a bad point)."""
    try:
        with np.errstate(all="ignore"):
            limit = theory.step_limit(
                opt, problem.build_surface(), problem.start, float(values.get("momentum", 0))
            )
    except (ValueError, TypeError):
        return None
    return limit if limit is not None and np.isfinite(limit.lr) else None


def _lr_limit_caption(opt: str, values: dict[str, Any], problem: components.Problem) -> None:
    """Under an lr slider of SGD, momentum or Nesterov: the step-size limit 2/λ_max (or its
    momentum forms), exact on a constant Hessian, else local at θ₀; a note when α is beyond it."""
    limit = _step_limit(opt, values, problem)
    if limit is None:
        return
    where = "exact: constant Hessian" if limit.exact else "local, at θ₀"
    st.caption(f"Stable for α < {limit.formula} = {limit.lr:.3g} ({where}).")
    lr = float(values.get("lr", 0.0))
    if lr >= limit.lr:
        verb = "diverges" if limit.exact else "may diverge"
        st.caption(f":orange[α = {lr:.3g} is beyond this limit: the run {verb}.]")


def _beyond_limit_phrase(run: str, choices: ExplorerChoices) -> str:
    """' lr = 0.12 > 2/λ_max = 0.1.' when the chosen α is beyond the step-size limit, else ''."""
    values = dict(choices.hyper_of(run))
    limit = _step_limit(split_run_id(run)[0], values, choices.problem)
    lr = float(values.get("lr", 0.0))
    if limit is None or lr < limit.lr:
        return ""
    where = "" if limit.exact else " at θ₀"
    return f" α = {lr:.3g} > {limit.formula} = {limit.lr:.3g}{where}."


def _view_controls(url: UrlState, choices: ExplorerChoices) -> tuple[bool, str, bool]:
    """The overlays toggle, the inspector's optimizer and presentation mode, in a row above the map."""
    left, middle, right = st.columns([1, 2, 1], vertical_alignment="center")
    with left:
        on = draw(THEORY, url)
    with middle:
        inspect = draw(INSPECT, url, options=(NO_INSPECT, *choices.optimizers))
    with right:
        present = draw(PRESENT, url)
    return on, inspect, present


@st.cache_data(max_entries=128, show_spinner=False)
def _theory_payload(run: str, choices: ExplorerChoices, overlay: bool, inspect: bool) -> dict[str, Any]:
    """The overlay and inspector data of one run (`figures.map_data`), cached with the run."""
    surface = choices.problem.build_surface()
    opt = split_run_id(run)[0]
    traj = common.run_optimizer(
        opt, choices.surface, choices.problem.surface_params, choices.start, choices.steps,
        choices.schedule_of(run), choices.noise, choices.seed,
        None if optimizers.OPTIMIZERS[opt].supports(surface).full_batch else choices.batch_size,
        choices.hyper_of(run),
    )  # fmt: skip
    out: dict[str, Any] = {}
    if overlay:
        out["overlay"] = map_data.theory_overlay(surface, traj.points[: fx.finite_length(traj)])
    if inspect:
        hyper = dict(choices.hyper_of(run))
        out["inspector"] = map_data.step_inspector(surface, traj, opt, hyper)
    return out


def _theory_for_map(choices: ExplorerChoices, trajs: dict[str, Any], on: bool, inspect: str) -> dict:
    """What the map's paths payload gets for the overlays (at θ₀ and along the inspected run, or
    the first run) and the inspector."""
    if not trajs or not (on or inspect != NO_INSPECT):
        return {}
    target = inspect if inspect in trajs else next(iter(trajs))
    extra: dict[str, Any] = {}
    payload = _theory_payload(target, choices, on, inspect == target)
    if on:
        extra["overlay_label"] = choices.labels[target]
    return {"theory": payload, **extra}


def _predicted_gaps(choices: ExplorerChoices, trajs: dict[str, Any], surface) -> dict[str, np.ndarray]:
    """On a constant-Hessian bowl with exact gradients and a constant α: the predicted L − L* of
    SGD, momentum and Nesterov (rho^(2k), or k rho^k at a double root), anchored at θ₀."""
    if (
        not theory.has_constant_hessian(surface)
        or surface.min_value is None
        or choices.noise > 0
        or choices.schedule is not None
        or choices.batch_size is not None
    ):
        return {}
    eigen = theory.hessian_eigen(surface.hessian(np.asarray(choices.start, dtype=float))).values
    if eigen[1] <= 0:
        return {}
    out = {}
    for run, traj in trajs.items():
        if choices.schedule_of(run) is not None:  # a copy with its own schedule: no constant-α rate
            continue
        values = dict(choices.hyper_of(run))
        rate = theory.convergence_rate(
            split_run_id(run)[0], eigen, float(values.get("lr", 0)), float(values.get("momentum", 0))
        )
        if rate is None or rate.rho >= 1:
            continue
        gap0 = float(traj.losses[0]) - float(surface.min_value)
        out[run] = theory.predicted_loss_gap(gap0, rate, traj.n_steps)
    return out


# --------------------------------------------------------------------------- presentation mode

PRESENT = Setting(
    "present",
    "Presentation mode",
    "bool",
    False,
    help="For a projector: the map as tall as the screen, large fonts and thick lines, no title or "
    "helper captions. Keys on the map (or anywhere on the page): space plays and pauses, ← → step.",
)
# Presentation mode's page style: helper captions and the toolbar's padding go, text grows to at
# least 20 px (the map's own fonts and lines grow in ui/landscape_map.js).
PRESENT_CSS = """<style>
[data-testid="stMain"] [data-testid="stCaptionContainer"] { display: none; }
[data-testid="stMainBlockContainer"] { padding-top: 3rem; padding-bottom: 1rem; max-width: 100%; }
[data-testid="stMain"] [data-testid="stMarkdownContainer"] p,
[data-testid="stMain"] [data-testid="stMarkdownContainer"] li,
[data-testid="stMain"] [data-testid="stWidgetLabel"] p,
[data-testid="stMain"] [data-baseweb="select"] div,
[data-testid="stMain"] button p,
[data-testid="stMain"] [data-testid="stTab"] p { font-size: 22px !important; }
[data-testid="stMain"] h2, [data-testid="stMain"] h3 { font-size: 32px !important; }
</style>"""


def _presentation_mode(present: bool) -> None:
    """Restyle the page for a projector (nothing otherwise); the map follows `paths["present"]`."""
    if present:
        st.html(PRESENT_CSS)


# --------------------------------------------------------------------------- page


def render() -> None:
    """Draw the explorer page (with PLAYGROUND_TIMING=1, log the script time to stderr)."""
    t0 = time.perf_counter()
    if os.environ.get("PLAYGROUND_TIMING"):
        print(f"explorer render start {time.time():.3f}", file=sys.stderr)
    _render()
    if os.environ.get("PLAYGROUND_TIMING"):
        print(f"explorer render {1e3 * (time.perf_counter() - t0):.1f} ms", file=sys.stderr)


def _owns(key: str) -> bool:
    """Whether a URL key is one of the explorer's (the others' keys may linger after a page switch)."""
    own = (START_X.key, START_Y.key, THEORY.key, INSPECT.key, PRESENT.key)
    return key in TABLE or key in REGISTRY_KEYS or key in own or key.startswith("custom")


def _render() -> None:
    url = UrlState(page="explorer", owns=_owns)
    header = st.container()  # the title, filled once presentation mode is known
    messages = st.container()

    choices = _sidebar(url)
    surface = choices.problem.build_surface()
    sinfo = surfaces.SURFACES[choices.surface]

    if choices.preset != NO_PRESET:
        lesson = PRESETS[choices.preset]
        messages.info(f"**Lesson: {lesson.title}.** {lesson.note}")
    if not choices.optimizers:
        messages.info("Choose at least one optimizer in the sidebar to start the race.")

    trajs, notes, full_batch = _runs(choices, surface)
    for note in notes:
        messages.info(note, icon="ℹ️")
    if full_batch:
        messages.caption(
            f"{_join(full_batch)} {'uses' if len(full_batch) == 1 else 'use'} the full batch, "
            "whatever the minibatch size: "
            "second-order methods need the exact gradient and curvature of the whole loss "
            "(the lecture's 'in practice' slide), so only the first-order methods use minibatches."
        )
    labels = choices.labels
    for run, traj in trajs.items():
        if traj.status == "diverged":
            messages.warning(
                f"**{labels[run]} diverged at step {traj.n_steps}**: "
                f"{'; '.join([traj.ending.detail, *traj.notes])}. Its path is drawn up to its last "
                f"finite point.{_beyond_limit_phrase(run, choices)}",
                icon="⚠️",
            )

    # The map's area comes first on the page, the row of view controls under it (in presentation
    # mode the map then starts right under the lesson note), but the controls are read first.
    map_area = st.container()
    theory_on, inspect, present = _view_controls(url, choices)
    _presentation_mode(present)
    if not present:
        header.title("Optimizer Playground")
        header.caption(
            "Pick a loss surface and some optimizers in the sidebar, then watch them race from the "
            "start point θ₀ to the minimum. Press ▶ under the map to see every path advance "
            "together (or drag the step slider); click anywhere on the map to start from there."
        )
    base = map_component.map_base(choices.surface, choices.problem.surface_params, sinfo.log_levels, GRID_N)
    paths = map_data.map_paths(surface, trajs, start=choices.start, base_key=base["key"], labels=labels)
    paths.update(_theory_for_map(choices, trajs, theory_on, inspect), present=present)
    runs = [labels[run] for run in trajs]  # the slide PNG's title, as the export's first line
    paths["caption"] = headline_words(choices.surface, runs, choices.start, choices.steps, choices.noise)
    predicted = _predicted_gaps(choices, trajs, surface) if theory_on else {}
    # Side by side when the map is one square panel; data surfaces use the full width for the map
    # and its data panel, with the loss below. In presentation mode the map takes the full width.
    if surface.data is None and not present:
        map_col, loss_col = map_area.columns([3, 2], gap="medium")
    else:
        map_col = loss_col = map_area
    with map_col:
        map_component.landscape_map(base, paths, key="landscape", on_start=_on_map_click)
        if trajs:
            _download_race(url)
    with loss_col:
        if trajs:
            _loss_view(
                url, trajs, surface.min_value, getattr(surface, "minima_estimated", False), labels, predicted
            )

    if trajs:
        st.subheader("Summary")
        _summary_view(url, trajs, surface, labels)
        st.download_button(
            "Download all trajectories (CSV)",
            data=lambda: _csv(trajs, labels),  # built on click, not on every rerun
            file_name=f"trajectories_{choices.surface}.csv",
            mime="text/csv",
            key="download_csv",
            on_click="ignore",
        )

    # Heavier views are lazy: only the open tab runs and is sent.
    rules_tab, lr_tab, surf_tab = draw_tabs(VIEW, url)
    if rules_tab.open:
        with rules_tab:
            _update_rules(choices.optimizers)
    if lr_tab.open:
        with lr_tab:
            if trajs:
                _rates_view(trajs, labels)
    if surf_tab.open:
        with surf_tab:
            grid = common.surface_grid(choices.surface, choices.problem.surface_params, GRID_N)
            st.plotly_chart(
                fx.surface3d_figure(surface, grid, trajs, log_levels=sinfo.log_levels, labels=labels),
                key="surface3d",
                width="stretch",
                theme=None,
            )
            st.caption("Drag to turn the surface; the view is kept while you change settings.")

    url.finish()
    url.show_warnings(messages)
