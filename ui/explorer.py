"""The explorer page: race optimizers across a 2D loss surface.

Thin by design: the sidebar's widgets (all URL-backed, see `ui.common.UrlState`) feed cached
engine runs (`ui.common.run_optimizer`), and the figure builders in `figures.explorer` draw them.
The map is a browser component (`ui.map_component`) that keeps its chart: it gets the contour once
per surface and new paths on each rerun, and plays and scrubs the race without rerunning the script.
"""

from __future__ import annotations

import os
import re
import sys
import time
from typing import Any

import pandas as pd
import streamlit as st

import optimizers
import surfaces
from figures import explorer as fx
from figures import map_data, optimizer_color
from optimizers.schedules import SCHEDULES
from ui import common, map_component

GRID_N = 80  # contour grid points per axis (80 x 80 float32 is about 34 KB on the wire)

DEFAULT_SURFACE = "quadratic"
DEFAULT_OPTIMIZERS = ["sgd", "momentum", "rmsprop", "adam"]
MAX_STEPS = 500  # the steps slider's maximum (a link asking for more is clamped, with a warning)
# Each surface brings its own step budget and learning rates for the first-order methods
# (`SurfaceInfo.suggested_steps`, `.suggested_lr`): they are the page's defaults on that surface,
# and switching surface moves those sliders to them. The default race (elongated valley, condition
# 10, L = x² + 10y², 60 steps): SGD's α = 0.09 is close to its stability limit 2/20 across the
# valley, so it zig-zags across it, the lecture's RMSProp picture; momentum (α = 0.01) overshoots
# and spirals; RMSProp and Adam (α = 0.1) rescale each coordinate and head down the valley.


def _default_hyper(surface: str, opt: str, name: str) -> float | None:
    """The page's default for a hyperparameter on a surface (None: the engine's default)."""
    if name == "lr":
        return surfaces.SURFACES[surface].suggested_lr.get(opt)
    return None


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

# Lesson presets: a short note and the settings they set (widget keys -> values).
PRESETS: dict[str, dict[str, Any]] = {
    "rmsprop_valley": {
        "title": "RMSProp in the elongated valley",
        "note": "SGD zig-zags across the valley, where the gradient is large, and crawls along it. "
        "RMSProp divides by the root of the squared gradients: the oscillation is damped and the "
        "progress along the valley speeds up. Try a larger condition number κ.",
        "settings": {"surface": "quadratic", "opts": ["sgd", "rmsprop"]},
    },
    "newton_linreg": {
        "title": "Newton on linear regression: one step",
        "note": "The loss of linear regression is quadratic in (w, b), so Newton's second-order "
        "Taylor model is exact: one step lands on the least-squares solution. SGD needs many.",
        "settings": {
            "surface": "linear_regression",
            "opts": ["sgd", "newton"],
            "steps": 30,
            "sgd_lr": 0.1,
        },
    },
    "lm_blend": {
        "title": "LM blends gradient descent and Gauss-Newton",
        "note": "On the curve fit a·exp(b·t), Levenberg-Marquardt starts with a large damping λ "
        "(short, gradient-like steps) and lowers λ while the loss falls, ending with "
        "Gauss-Newton steps. The learning-rate tab shows λ_k.",
        "settings": {
            "surface": "curve_fit",
            "opts": ["sgd", "gauss_newton", "lm"],
            "steps": 40,
            "sgd_lr": 0.05,
            "lm_damping": 100.0,
            "view": "Learning rate",
        },
    },
    "adam_rosenbrock": {
        "title": "Adam vs momentum on Rosenbrock",
        "note": "Rosenbrock's banana valley is narrow and curved. Momentum builds up speed along "
        "the floor and reaches (1, 1); Adam's steps have a length of about α per coordinate, so it "
        "crawls along the bend. Try a larger α for Adam, or more steps.",
        "settings": {
            "surface": "rosenbrock",
            "opts": ["momentum", "adam"],
            "steps": 300,
            "momentum_lr": 0.0015,
            "adam_lr": 0.1,
        },
    },
    "too_large_lr": {
        "title": "Too large a learning rate diverges",
        "note": "With α above 2 divided by the largest curvature, every step across the valley "
        "overshoots by more than it corrects: the loss grows without bound. The path is drawn "
        "until it leaves finite values, and the table flags the run.",
        "settings": {"surface": "quadratic", "opts": ["sgd", "adam"], "sgd_lr": 0.15},
    },
    "decay": {
        "title": "Learning-rate decay with noisy gradients",
        "note": "Noisy gradients keep SGD bouncing around the minimum at a constant α. A decaying "
        "α (1/t decay) is high far from the minimum and low close to it. Smooth the loss curve "
        "with the EMA slider, as for training curves.",
        "settings": {
            "surface": "quadratic",
            "opts": ["sgd"],
            "steps": 150,
            "sgd_lr": 0.05,
            "noise": 2.0,
            "sched": "inverse_time",
            "sched_decay_rate": 0.1,
        },
    },
}
NO_PRESET = "none"
SETTING_KEYS = "_setting_keys"  # session_state: keys of the settings drawn in the last full run
VIEWS = ["Update rules", "Learning rate", "3D surface"]


# --------------------------------------------------------------------------- callbacks


def _apply_preset() -> None:
    """on_change of the preset picker: reset every setting, then set the preset's."""
    name = st.session_state.get("preset", NO_PRESET)
    if name == NO_PRESET:
        return
    for key in st.session_state.get(SETTING_KEYS, []):
        if key != "preset":
            st.session_state.pop(key, None)
    common.forget_kept()  # hidden settings too: a preset is a fresh scene
    settings = PRESETS[name]["settings"]
    surface = settings.get("surface", DEFAULT_SURFACE)
    info = surfaces.SURFACES[surface]
    st.session_state["start_x"], st.session_state["start_y"] = map(float, info.default_start)
    for key, value in settings.items():
        st.session_state[key] = value


def _on_surface_change() -> None:
    """on_change of the surface picker: a new surface starts from its own default start, with its
    suggested step budget and learning rates (a link or a preset sets values explicitly instead)."""
    info = surfaces.SURFACES[st.session_state["surface"]]
    st.session_state["start_x"], st.session_state["start_y"] = map(float, info.default_start)
    st.session_state["steps"] = min(int(info.suggested_steps), MAX_STEPS)
    for opt, lr in info.suggested_lr.items():
        st.session_state[f"{opt}_lr"] = float(lr)
    # A deselected optimizer gets the new surface's α too, not the one kept from the old surface.
    common.forget_kept(f"{opt}_lr" for opt in info.suggested_lr)


def _on_map_click(x: float, y: float) -> None:
    """A click on the map (reported by the map component) makes the clicked point θ_0."""
    st.session_state["start_x"], st.session_state["start_y"] = x, y


# --------------------------------------------------------------------------- sidebar


def _sidebar(url: common.UrlState) -> dict[str, Any]:
    sb = st.sidebar
    cfg: dict[str, Any] = {}
    cfg["preset"] = common.choice_widget(
        "Lesson preset",
        [NO_PRESET, *PRESETS],
        "preset",
        url,
        default=NO_PRESET,
        format_func=lambda k: "— free exploration —" if k == NO_PRESET else PRESETS[k]["title"],
        on_change=_apply_preset,
        help="Sets up a scene from the lecture; change anything afterwards.",
        container=sb,
    )

    # Surface and its parameters.
    sb.header("Loss surface", divider="gray")
    name = common.choice_widget(
        "Surface",
        list(surfaces.SURFACES),
        "surface",
        url,
        default=DEFAULT_SURFACE,
        format_func=lambda k: surfaces.SURFACES[k].label,
        on_change=_on_surface_change,
        container=sb,
    )
    info = surfaces.SURFACES[name]
    sb.caption(info.description)
    params = {}
    for p in info.params:
        params[p.name] = common.param_widget(p, f"{name}_{p.name}", url, container=sb)
    cfg["surface"], cfg["surface_params"] = name, common.params_tuple(params)
    surface = common.get_surface(name, cfg["surface_params"])

    # Start point.
    (x0, x1), (y0, y1) = surface.bounds
    a, b = surface.axis_labels
    sb.markdown("**Start point θ₀** — or click the map")
    c1, c2 = sb.columns(2)
    sx = common.number_widget(
        a, "start_x", url, default=float(info.default_start[0]), low=float(x0), high=float(x1),
        step=0.1, container=c1,
    )  # fmt: skip
    sy = common.number_widget(
        b, "start_y", url, default=float(info.default_start[1]), low=float(y0), high=float(y1),
        step=0.1, container=c2,
    )  # fmt: skip
    cfg["start"] = (round(sx, 4), round(sy, 4))

    # Optimizers and their hyperparameters.
    sb.header("Optimizers", divider="gray")
    chosen = common.multi_choice_widget(
        "Race these optimizers",
        list(optimizers.OPTIMIZERS),
        "opts",
        url,
        default=DEFAULT_OPTIMIZERS,
        format_func=lambda k: optimizers.OPTIMIZERS[k].label,
        container=sb,
    )
    hyper: dict[str, tuple] = {}
    for opt in chosen:
        oinfo = optimizers.OPTIMIZERS[opt]
        with sb.expander(oinfo.label, expanded=len(chosen) <= 2):
            st.markdown(
                common.swatch(optimizer_color(opt), f"<b>{oinfo.label}</b> — {oinfo.description}"),
                unsafe_allow_html=True,
            )
            values = {}
            for p in oinfo.hyper:
                default = _default_hyper(name, opt, p.name)
                values[p.name] = common.param_widget(p, f"{opt}_{p.name}", url, default=default)
            hyper[opt] = common.params_tuple(values)
    cfg["optimizers"], cfg["hyper"] = chosen, hyper

    # Training: steps, schedule, noise, batch size.
    sb.header("Training", divider="gray")
    cfg["steps"] = common.int_widget(
        "Steps (iterations k)", "steps", url, default=min(info.suggested_steps, MAX_STEPS), low=1,
        high=MAX_STEPS, valid_high=1_000_000, container=sb,
        help="How many updates each optimizer makes. Each surface starts with a budget that "
        "lets the race finish.",
    )  # fmt: skip
    kind = common.choice_widget(
        "Learning-rate schedule",
        list(SCHEDULES),
        "sched",
        url,
        default="constant",
        format_func=lambda k: SCHEDULES[k].label,
        help="α_k = α₀ × the schedule's factor at the epoch of step k.",
        container=sb,
    )
    sched_params = {
        p.name: common.param_widget(p, f"sched_{p.name}", url, container=sb) for p in SCHEDULES[kind].params
    }
    cfg["schedule"] = None if kind == "constant" else common.params_tuple({"kind": kind, **sched_params})
    sb.latex(SCHEDULES[kind].formula)
    if kind != "constant":
        curve = common.schedule_curve(cfg["schedule"], max(cfg["steps"], 2))
        sb.plotly_chart(
            fx.schedule_figure(curve), key="schedule_chart", width="stretch", theme=None,
            config={"displayModeBar": False},
        )  # fmt: skip
    cfg["noise"] = common.float_slider_widget(
        "Gradient noise σ", "noise", url, default=0.0, low=0.0, high=5.0, step=0.05, valid_high=1e6,
        help="Adds N(0, σ²) noise to every gradient, like minibatch noise.", container=sb,
    )  # fmt: skip
    cfg["seed"] = common.int_widget(
        "Noise seed", "seed", url, default=0, low=0, high=9999, slider=False, container=sb
    )
    cfg["batch_size"] = None
    if surface.data is not None:
        m = len(surface.data[0])
        bs = common.int_widget(
            "Minibatch size m", "batch", url, default=m, low=1, high=m, container=sb,
            help="Samples per iteration; m = all data is full-batch gradient descent. "
            "An epoch is one pass over the data.",
        )  # fmt: skip
        cfg["batch_size"] = None if bs >= m else bs
    return cfg


def _join(names: list[str]) -> str:
    """'A', 'A and B', 'A, B and C'."""
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _check_choice(raw: str, options: list[str]) -> str:
    if raw not in options:
        raise ValueError(f"choose one of {', '.join(options)}")
    return raw


# --------------------------------------------------------------------------- runs


def _runs(cfg: dict[str, Any], surface) -> tuple[dict[str, Any], list[str], list[str]]:
    """Cached runs of the chosen optimizers, notes for those that cannot run here, and the
    second-order methods run full-batch although a minibatch size is chosen."""
    trajs: dict[str, Any] = {}
    notes: list[str] = []
    sname = surfaces.SURFACES[cfg["surface"]].label
    for opt in cfg["optimizers"]:
        oinfo = optimizers.OPTIMIZERS[opt]
        if oinfo.needs == "residuals" and not surface.has_residuals:
            notes.append(
                f"**{oinfo.label}** is not run: it approximates the Hessian by 2·JᵀJ of the "
                f"residuals, so it needs a loss that is a sum of squared residuals, L = Σ r_i². "
                f"The surface “{sname}” is not one. Pick linear regression, the curve fit or "
                "another least-squares surface."
            )
            continue
        try:
            trajs[opt] = common.run_optimizer(
                opt,
                cfg["surface"],
                cfg["surface_params"],
                cfg["start"],
                cfg["steps"],
                cfg["schedule"],
                cfg["noise"],
                cfg["seed"],
                cfg["batch_size"] if oinfo.needs == "grad" else None,
                cfg["hyper"][opt],
            )
        except ValueError as exc:
            notes.append(f"**{oinfo.label}** could not run: {exc}")
    full_batch = [
        optimizers.OPTIMIZERS[o].label
        for o in trajs
        if optimizers.OPTIMIZERS[o].needs != "grad" and cfg["batch_size"] is not None
    ]
    if "newton" in trajs and surface.min_value is None:
        notes.append(
            "**Newton** solves H·δ = −∇L. On the saddle H has a negative eigenvalue, so the "
            "step heads for the stationary point, the saddle itself, instead of downhill."
        )
    return trajs, notes, full_batch


# --------------------------------------------------------------------------- views


@st.fragment
def _loss_view(url: common.UrlState, trajs: dict[str, Any], min_value: float | None) -> None:
    """Loss against step with the EMA slider; a fragment, so smoothing reruns only this."""
    w = common.float_slider_widget(
        "EMA smoothing", "ema", url, default=0.0, low=0.0, high=0.99, step=0.01,
        help="Exponential moving average of the curve, as for noisy training curves "
        "(0 = raw).",
    )  # fmt: skip
    common.sync_query_param("ema", w, 0.0)
    st.plotly_chart(
        fx.loss_figure(trajs, min_value=min_value, smoothing=w),
        key="loss_chart", width="stretch", theme=None,
    )  # fmt: skip
    if min_value is None:
        st.caption("This surface has no minimum (L is unbounded below), so the loss is drawn as is.")
    else:
        st.caption(f"Distance of the loss to its minimum L* = {min_value:.4g}, on a log scale.")


@st.fragment
def _summary_view(url: common.UrlState, trajs: dict[str, Any], surface) -> None:
    """Summary table with its tolerance; a fragment, so the tolerance reruns only this."""
    tol = common.log_choice_widget(
        "Tolerance for 'steps to tolerance': L(θ_k) − L* ≤",
        "tol",
        url,
        options=[10.0**e for e in range(-10, 1)],
        default=1e-3,
    )
    common.sync_query_param("tol", tol, 1e-3)
    rows = fx.summary_rows(trajs, surface, tol=tol)
    never = "—" if surface.min_value is None else "not reached"  # no L* (saddle): nothing to reach
    for row in rows:  # a word instead of a blank 'None' cell
        k = row["steps to tolerance"]
        row["steps to tolerance"] = never if k is None else str(k)
    st.dataframe(
        pd.DataFrame(rows),
        hide_index=True,
        width="stretch",
        key="summary_table",
        column_config={
            "final loss": st.column_config.NumberColumn(format="%.4g"),
            "distance to nearest minimum": st.column_config.NumberColumn(format="%.3g"),
            "steps to tolerance": st.column_config.TextColumn(
                help="First step k with L(θ_k) − L* within the tolerance above."
            ),
        },
    )


def _csv(trajs: dict[str, Any]) -> bytes:
    frames = []
    for name, traj in trajs.items():
        df = traj.to_frame()
        df.insert(0, "optimizer", name)
        frames.append(df)
    return pd.concat(frames, ignore_index=True).to_csv(index=False).encode()


def _update_rules(chosen: list[str]) -> None:
    for opt in chosen:
        oinfo = optimizers.OPTIMIZERS[opt]
        st.markdown(common.swatch(optimizer_color(opt), f"<b>{oinfo.label}</b>"), unsafe_allow_html=True)
        st.latex(oinfo.formula)
        st.markdown(EXPLANATIONS.get(opt, oinfo.description))


# --------------------------------------------------------------------------- page


def render() -> None:
    """Draw the explorer page (with PLAYGROUND_TIMING=1, log the script time to stderr)."""
    t0 = time.perf_counter()
    if os.environ.get("PLAYGROUND_TIMING"):
        print(f"explorer render start {time.time():.3f}", file=sys.stderr)
    _render()
    if os.environ.get("PLAYGROUND_TIMING"):
        print(f"explorer render {1e3 * (time.perf_counter() - t0):.1f} ms", file=sys.stderr)


def _render() -> None:
    url = common.UrlState()
    if "surface" not in st.session_state:  # a new session, or back from another page: a fresh scene
        common.forget_kept()
    st.title("Optimizer Playground")
    st.caption(
        "Pick a loss surface and some optimizers in the sidebar, then watch them race from the "
        "start point θ₀ to the minimum. Press ▶ under the map to see every path advance "
        "together (or drag the step slider); click anywhere on the map to start from there."
    )
    messages = st.container()

    cfg = _sidebar(url)
    surface = common.get_surface(cfg["surface"], cfg["surface_params"])
    sinfo = surfaces.SURFACES[cfg["surface"]]

    if cfg["preset"] != NO_PRESET:
        messages.info(f"**Lesson: {PRESETS[cfg['preset']]['title']}.** {PRESETS[cfg['preset']]['note']}")
    if not cfg["optimizers"]:
        messages.info("Choose at least one optimizer in the sidebar to start the race.")

    trajs, notes, full_batch = _runs(cfg, surface)
    for note in notes:
        messages.info(note, icon="ℹ️")
    if full_batch:
        messages.caption(
            f"{_join(full_batch)} {'uses' if len(full_batch) == 1 else 'use'} the full batch, "
            "whatever the minibatch size: "
            "second-order methods need the exact gradient and curvature of the whole loss "
            "(the lecture's 'in practice' slide), so only the first-order methods use minibatches."
        )
    for opt, traj in trajs.items():
        if traj.status == "diverged":
            detail = re.sub(r"^diverged at step \d+:\s*", "", str(traj.message))
            messages.warning(
                f"**{optimizers.OPTIMIZERS[opt].label} diverged at step {traj.n_steps}**: "
                f"{detail}. Its path is drawn up to its last finite point.",
                icon="⚠️",
            )

    grid = common.surface_grid(cfg["surface"], cfg["surface_params"], GRID_N)
    base = map_component.map_base(cfg["surface"], cfg["surface_params"], sinfo.log_levels, GRID_N)
    paths = map_data.map_paths(surface, trajs, start=cfg["start"], base_key=base["key"])
    # Side by side when the map is one square panel; data surfaces use the full width for the map
    # and its data panel, with the loss below.
    if surface.data is None:
        map_col, loss_col = st.columns([3, 2], gap="medium")
    else:
        map_col = loss_col = st.container()
    with map_col:
        map_component.landscape_map(base, paths, key="landscape", on_start=_on_map_click)
    with loss_col:
        if trajs:
            _loss_view(url, trajs, surface.min_value)

    if trajs:
        st.subheader("Summary")
        _summary_view(url, trajs, surface)
        st.download_button(
            "Download all trajectories (CSV)",
            data=lambda: _csv(trajs),  # built on click, not on every rerun
            file_name=f"trajectories_{cfg['surface']}.csv",
            mime="text/csv",
            key="download_csv",
            on_click="ignore",
        )

    # Heavier views are lazy: only the open tab runs and is sent.
    url.seed("view", lambda raw: _check_choice(raw, VIEWS), "view", VIEWS[0])
    st.session_state.setdefault("view", VIEWS[0])
    rules_tab, lr_tab, surf_tab = st.tabs(VIEWS, key="view", on_change="rerun")
    url.track("view", st.session_state.get("view", VIEWS[0]), VIEWS[0])
    if rules_tab.open:
        with rules_tab:
            _update_rules(cfg["optimizers"])
    if lr_tab.open:
        with lr_tab:
            if trajs:
                st.plotly_chart(fx.lr_figure(trajs), key="lr_chart", width="stretch", theme=None)
                st.caption(
                    "The learning rate α_k each optimizer used (schedules change it per epoch). "
                    "Newton and Gauss-Newton have a step factor instead; LM has no α, its "
                    "damping λ_k is dotted."
                )
    if surf_tab.open:
        with surf_tab:
            st.plotly_chart(
                fx.surface3d_figure(surface, grid, trajs, log_levels=sinfo.log_levels),
                key="surface3d",
                width="stretch",
                theme=None,
            )
            st.caption("Drag to turn the surface; the view is kept while you change settings.")

    st.session_state[SETTING_KEYS] = sorted(url.keys)
    url.finish()
    url.show_warnings(messages)
