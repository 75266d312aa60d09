"""The explorer's runs: the chosen scene's cached engine runs, and what is decided on them (the
lesson's live note, the predicted rate on quadratics, the overlays' and inspector's data).

Every run goes through `ui.common.run_optimizer`, keyed by the scene's `RunSpec`; a lesson's claims
are decided on the same runs (`scenes.lessons.note`), so the note never speaks of other numbers than
the ones on screen, and a claim's variant (another α, other seeds) is a cached run too.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import streamlit as st

import optimizers
import surfaces
from figures import explorer as fx
from figures import map_data, split_run_id
from optimizers import theory
from scenes import explorer as scene
from scenes import lessons
from scenes.explorer import ExplorerChoices, SceneRuns
from ui import common

TURNED_DEGREES = 10.0  # a valley turned less than this from the axes counts as lined up


def runs(choices: ExplorerChoices, surface) -> tuple[dict[str, Any], list[str], list[str]]:
    """Cached runs of the chosen optimizers, notes for those that cannot run here (or meet
    something worth saying), and the methods run full-batch although a minibatch size is chosen.
    What fits where is the engine's call (`OptimizerInfo.supports`)."""
    trajs: dict[str, Any] = {}
    notes: list[str] = []
    full_batch: list[str] = []
    sname = surfaces.SURFACES[choices.surface].label
    for run in choices.optimizers:
        oinfo = optimizers.OPTIMIZERS[split_run_id(run)[0]]
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
            trajs[run] = common.run_optimizer(choices.spec(run))
        except ValueError as exc:
            notes.append(f"**{oinfo.label}** could not run: {exc}")
            continue
        notes.extend(support.notes)
        if support.full_batch and choices.batch_size is not None:
            full_batch.append(oinfo.label)
    return trajs, list(dict.fromkeys(notes)), list(dict.fromkeys(full_batch))  # copies: once each


def pinned_runs(choices: ExplorerChoices) -> dict[str, Any]:
    """Pin id -> the pinned run, recomputed from its settings in this scene (cached like the live
    runs); a pin that cannot run here (Gauss-Newton off a least-squares surface) is left out."""
    surface = choices.problem.build_surface()
    out = {}
    for pid, pin in choices.pinned.items():
        if optimizers.OPTIMIZERS[pin.optimizer].supports(surface).runs:
            try:
                out[pid] = common.run_optimizer(choices.pin_spec(pin))
            except ValueError:
                continue
    return out


@common.shared_cache(maxsize=128)
def _lesson_note(name: str, choices: ExplorerChoices) -> lessons.Note:
    evidence = SceneRuns(choices, runner=common.run_optimizer)
    return lessons.note(lessons.PRESETS[name], evidence, scene.facts(evidence))


def lesson_note(choices: ExplorerChoices, trajs: dict[str, Any]) -> lessons.Note | None:
    """The lesson's note decided on the runs on screen (None without a lesson). Cached per scene:
    a rerun that changes nothing the runs depend on decides nothing again."""
    if choices.preset not in lessons.PRESETS:
        return None
    del trajs  # the same cached runs: `SceneRuns` asks `run_optimizer` for the scene's specs
    return _lesson_note(choices.preset, choices)


def rotated_valley_note(choices: ExplorerChoices, surface) -> str | None:
    """Why per-coordinate scaling (RMSProp, Adam, AdaGrad) loses its edge when the valley is turned:
    said when such a method races on a quadratic whose axes are not the coordinate axes."""
    scaled = [r for r in choices.optimizers if split_run_id(r)[0] in lessons.PER_COORDINATE_SCALING]
    if not scaled or not theory.has_constant_hessian(surface):
        return None
    with np.errstate(all="ignore"):
        h = np.asarray(surface.hessian(np.asarray(choices.start, dtype=float)), dtype=float)
    eig = theory.hessian_eigen(h)
    angle = abs(float(np.degrees(np.arctan2(eig.vectors[1, 0], eig.vectors[0, 0])))) % 180.0
    turned = min(angle % 90.0, 90.0 - angle % 90.0)  # from the nearest coordinate axis
    if turned < TURNED_DEGREES or eig.values[1] <= 0 or eig.values[0] < 2.0 * eig.values[1]:
        return None  # lined up with the axes (or hardly elongated): the scaling still helps
    names = _join(list(dict.fromkeys(choices.labels[r] for r in scaled)))
    return (
        f"The valley here is turned {turned:.0f}° away from the coordinate axes. {names} "
        "divide each coordinate's gradient by that coordinate's own running scale, which undoes "
        "the valley's elongation only when the valley lies along the axes; turned, both coordinates "
        "see the steep direction, and the scaling can no longer single it out to damp the "
        "oscillation across the valley."
    )


def _join(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


@st.cache_data(max_entries=128, show_spinner=False)
def theory_payload(run: str, choices: ExplorerChoices, overlay: bool, inspect: bool) -> dict[str, Any]:
    """The overlay and inspector data of one run (`figures.map_data`), cached with the run."""
    surface = choices.problem.build_surface()
    traj = common.run_optimizer(choices.spec(run))
    out: dict[str, Any] = {}
    if overlay:
        out["overlay"] = map_data.theory_overlay(surface, traj.points[: fx.finite_length(traj)])
    if inspect:
        out["inspector"] = map_data.step_inspector(
            surface, traj, split_run_id(run)[0], dict(choices.hyper_of(run))
        )
    return out


def theory_for_map(choices: ExplorerChoices, trajs: dict[str, Any], on: bool, inspect: str) -> dict:
    """What the map's paths payload gets for the overlays (at θ₀ and along the inspected run, or
    the first run) and the inspector."""
    if not trajs or not (on or inspect != scene.NO_INSPECT):
        return {}
    target = inspect if inspect in trajs else next(iter(trajs))
    extra: dict[str, Any] = {}
    payload = theory_payload(target, choices, on, inspect == target)
    if on:
        extra["overlay_label"] = choices.labels[target]
    return {"theory": payload, **extra}


def predicted_gaps(choices: ExplorerChoices, trajs: dict[str, Any], surface) -> dict[str, np.ndarray]:
    """On a constant-Hessian bowl with exact gradients and a constant α: the theory's prediction of
    L − L* for SGD, momentum and Nesterov, step by step (`theory.predicted_loss_path`, the exact
    recursion of each eigen-direction, not a worst-case rate): it lies on the run's own curve."""
    if (
        not theory.has_constant_hessian(surface)
        or surface.min_value is None
        or choices.noise > 0
        or choices.schedule is not None
        or choices.batch_size is not None
    ):
        return {}
    start = np.asarray(choices.start, dtype=float)
    hessian = surface.hessian(start)
    if theory.hessian_eigen(hessian).values[1] <= 0:
        return {}
    minima = np.asarray(surface.minima, dtype=float).reshape(-1, 2)
    offset = start - minima[np.argmin(np.linalg.norm(minima - start, axis=1))]
    out = {}
    for run, traj in trajs.items():
        if choices.schedule_of(run) is not None:  # a copy with its own schedule: no constant α
            continue
        values = dict(choices.hyper_of(run))
        path = theory.predicted_loss_path(
            split_run_id(run)[0], hessian, offset, float(values.get("lr", 0)),
            float(values.get("momentum", 0)), traj.n_steps,
        )  # fmt: skip
        if path is not None and np.isfinite(path).all():
            out[run] = path
    return out
