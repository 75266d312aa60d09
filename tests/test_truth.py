"""Every sentence true (issue 19): each lesson's scene perturbed in the settings it does not own,
and every sentence the page would show for it checked on the engine's own numbers, recomputed here
independently (NumPy eigenvalues, direct `optimizers.run` calls), not read back from the page's
facts. Also the walk-through scenes of issue 19 (items 1-4, 6 and the copies' labels) as
regression tests.
"""

from __future__ import annotations

import re
import string

import numpy as np
import pytest

import optimizers
import surfaces
from figures import split_run_id
from scenes import explorer, lesson_runs, lessons
from scenes.claims import fill

RNG_SEED = 19
PER_PRESET = 10  # perturbed scenes per lesson (one setting each, sampled across its range)


# --------------------------------------------------------------------------- independent numbers


def _direct(choices: explorer.ExplorerChoices, run: str, **change):
    """The run straight from the engine (not through the scene's specs or any cache)."""
    name = split_run_id(run)[0]
    surface = surfaces.get_surface(choices.surface, **dict(choices.problem.surface_params))
    hyper = dict(choices.hyper_of(run))
    schedule = choices.schedule_of(run)
    opts = {
        "schedule": dict(schedule) if schedule else None,
        "noise": choices.noise,
        "seed": choices.seed,
        **hyper,
        **change,
    }
    return surface, optimizers.run(
        name, surface, np.asarray(choices.start, dtype=float), choices.steps, **opts
    )


def _independent_facts(choices: explorer.ExplorerChoices, names: set[str]) -> dict:
    """The facts a note names, recomputed from the engine and NumPy."""
    surface = surfaces.get_surface(choices.surface, **dict(choices.problem.surface_params))
    out = dict(choices.values())
    eig = np.linalg.eigvalsh(np.asarray(surface.hessian(np.asarray(choices.start, dtype=float)), dtype=float))
    out["lambda_max"] = float(eig.max())
    out["kappa"] = float(np.abs(eig).max() / np.abs(eig).min())
    minima = np.asarray(surface.minima, dtype=float).reshape(-1, 2)
    if len(minima) == 1:
        out["min_x"], out["min_y"] = minima[0]
    for run in choices.optimizers:
        hyper = dict(choices.hyper_of(run))
        if f"{run}_limit" in names:  # plain gradient descent: 2 / λ_max (heavy ball: 2(1 + β) / λ_max)
            out[f"{run}_limit"] = 2.0 * (1.0 + hyper.get("momentum", 0.0)) / out["lambda_max"]
        if any(n.startswith(f"{run}_") and n.split(f"{run}_", 1)[1] in _RUN_FACTS for n in names):
            _, traj = _direct(choices, run)
            gaps = traj.losses - surface.min_value
            out[f"{run}_steps_run"] = int(len(traj.losses) - 1)
            out[f"{run}_gap"] = float(np.mean(gaps[-30:])) if choices.noise > 0 else float(gaps[-1])
            out[f"{run}_mean"] = float(np.mean(traj.losses[-30:]))
            if "accepted" in traj.records:
                out[f"{run}_rejected"] = int(np.sum(traj.records["accepted"] == 0))
    return out


_RUN_FACTS = {"steps_run", "gap", "mean", "rejected", "limit"}
_OUTCOME = (
    r" (converges to (?:a |an )?([\w ]+?) at step (\d+)|diverges at step (\d+)"
    r"|is still (\S+) above L\* after (\d+) steps)"
)


def _names(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def _observed_is_true(text: str, choices: explorer.ExplorerChoices) -> None:
    """Each "<label> converges to … at step k" / "diverges at step k" / "is still x above L* after k
    steps" in a failure message agrees with a direct engine run of that label's run."""
    labels = choices.labels
    for run, label in labels.items():
        surface, traj = _direct(choices, run)
        for m in re.finditer(re.escape(label) + _OUTCOME, text):
            if m.group(2):
                assert traj.status == "converged" and int(m.group(3)) == len(traj.losses) - 1, (
                    label,
                    m.group(0),
                )
            elif m.group(4):
                assert traj.status == "diverged" and int(m.group(4)) == len(traj.losses) - 1, (
                    label,
                    m.group(0),
                )
            else:
                assert traj.status == "max_steps", (label, m.group(0))
                gap = float(traj.losses[-1] - surface.min_value)
                assert float(m.group(5)) == pytest.approx(gap, rel=0.05), (label, m.group(0))


# --------------------------------------------------------------------------- perturbations


def _unowned(preset: lessons.Preset) -> list[tuple[str, list]]:
    """(key, values across its range) for the settings the lesson does not set."""
    base = explorer.scene(preset.settings)
    sinfo = surfaces.SURFACES[base.surface]
    out = []
    for p in sinfo.params:
        key = f"{base.surface}_{p.name}"
        if key not in preset.settings and not p.text and not p.pair:
            out.append(
                (key, list(np.linspace(p.low, p.high, 5)) if not p.integer else [int(p.low), int(p.high)])
            )
    (x0, x1), (y0, y1) = base.problem.build_surface().bounds
    for key, (lo, hi) in (("start_x", (x0, x1)), ("start_y", (y0, y1))):
        if key not in preset.settings:
            out.append((key, [round(float(v), 2) for v in np.linspace(lo, hi, 6)[1:-1]]))
    if "steps" not in preset.settings:
        out.append(("steps", [5, 30, 150, 400]))
    if "noise" not in preset.settings:
        out.append(("noise", [0.1, 1.0]))
    out.append(("seed", [1, 7, 123]))
    if "sched" not in preset.settings:
        out.append(("sched", ["exponential", "step", "inverse_time"]))
    for run in base.optimizers:
        for s in explorer.hyper_settings(run):
            if s.key in preset.settings or s.kind == "choice":
                continue
            lo, hi = float(s.low), float(s.high)
            values = np.geomspace(lo, hi, 5) if s.kind == "log" else np.linspace(lo, hi, 5)
            out.append((s.key, [float(f"{v:.3g}") for v in values]))
    return out


def _perturbed(name: str) -> list[dict]:
    preset = lessons.PRESETS[name]
    rng = np.random.default_rng(RNG_SEED)
    options = _unowned(preset)
    scenes = []
    for _ in range(PER_PRESET):
        key, values = options[rng.integers(len(options))]
        scenes.append({**preset.settings, key: values[rng.integers(len(values))]})
    return scenes


@pytest.mark.parametrize("name", list(lessons.PRESETS))
def test_every_sentence_shown_for_a_perturbed_lesson_holds_on_the_engine(name):
    preset = lessons.PRESETS[name]
    for settings in [preset.settings, *_perturbed(name)]:
        choices = explorer.scene(settings)
        assert not choices.warnings
        evidence = explorer.SceneRuns(choices)
        shown = lessons.note(preset, evidence, explorer.facts(evidence))
        verdicts = [lesson_runs.check(c, settings) for c in preset.claims]  # on the engine, afresh
        assert shown.holds == all(v.holds for v in verdicts), (settings, shown.text)
        if shown.holds:
            names = _names(preset.note)
            want = fill(preset.note, _independent_facts(choices, names))
            assert shown.text == want, settings
        else:
            assert "does not hold, so it is not shown" in shown.text
            for claim, verdict in zip(preset.claims, verdicts, strict=True):
                if not verdict.holds:
                    assert verdict.observed in shown.text, (claim.text, shown.text)
            _observed_is_true(shown.text, choices)


# --------------------------------------------------------------------------- walk-through scenes


def _note(name: str, **change) -> tuple[explorer.ExplorerChoices, lessons.Note]:
    preset = lessons.PRESETS[name]
    choices = explorer.scene({**preset.settings, **change})
    evidence = explorer.SceneRuns(choices)
    return choices, lessons.note(preset, evidence, explorer.facts(evidence))


def test_item1_too_large_lr_at_kappa_5_says_sgd_converges_and_the_new_limit():
    choices, shown = _note("too_large_lr", quadratic_condition=5.0)
    assert not shown.holds
    assert "SGD at α = 0.15 diverges" in shown.text and "SGD converges to a minimum" in shown.text
    assert "2/λ_max = 0.2" in shown.text  # λ_max = 2κ = 10
    _, traj = _direct(choices, "sgd")
    assert traj.status == "converged"


def test_item1_rmsprop_valley_rotated_45_degrees_drops_the_note():
    choices, shown = _note("rmsprop_valley", quadratic_angle=45.0)
    assert not shown.holds and "RMSProp converges in" not in shown.text  # the note's sentence
    _, rms = _direct(choices, "rmsprop")
    assert rms.status == "max_steps" and rms.losses[-1] > 0.1
    assert "RMSProp is still" in shown.text


def test_item3_the_page_says_why_rmsprop_loses_in_a_turned_valley():
    from ui.explorer import runs

    turned = {"quadratic_condition": 50.0, "quadratic_angle": 45.0, "sgd_lr": 0.015, "steps": 200}
    choices = explorer.scene({**turned, "opts": ["sgd", "rmsprop"]})
    text = runs.rotated_valley_note(choices, choices.problem.build_surface())
    assert text is not None and "RMSProp" in text and "45°" in text
    _, rms = _direct(choices, "rmsprop")
    _, sgd = _direct(choices, "sgd")
    assert rms.losses[-1] > sgd.losses[-1]  # the situation the sentence explains
    aligned = explorer.scene({**turned, "quadratic_angle": 0.0, "opts": ["sgd", "rmsprop"]})
    assert runs.rotated_valley_note(aligned, aligned.problem.build_surface()) is None


@pytest.mark.parametrize(("kappa", "limit"), [(50.0, 0.02), (10.0, 0.1)])
def test_item2_alpha_exactly_at_the_limit_is_marginal_not_divergent(kappa, limit):
    from optimizers import theory
    from ui.explorer import sidebar

    choices = explorer.scene({"quadratic_condition": kappa, "opts": ["sgd"], "sgd_lr": limit, "steps": 200})
    step = theory.step_limit("sgd", choices.problem.build_surface(), choices.start)
    assert step.lr == pytest.approx(limit)
    verdict = sidebar.limit_verdict(limit, step)
    assert "exactly at this limit" in verdict and "diverges" not in verdict.replace("nor diverges", "")
    _, at_limit = _direct(choices, "sgd")
    assert at_limit.status != "diverged" and np.isfinite(at_limit.losses).all()
    beyond = round(limit * 1.05, 6)
    assert "the run diverges" in sidebar.limit_verdict(beyond, step)
    _, past = _direct(choices, "sgd", lr=beyond)
    assert past.status == "diverged" or past.losses[-1] > past.losses[0]


def test_item2_the_lr_slider_has_stops_right_around_the_limit():
    from scenes.settings import log_options
    from ui.explorer.sidebar import LIMIT_STOPS

    stops = set(log_options(1e-4, 1.0, 0.09)) | {float(f"{0.02 * f:.3g}") for f in LIMIT_STOPS}
    assert {0.019, 0.02, 0.021} <= stops


def test_item4_the_decay_note_and_the_table_state_the_same_noise_robust_quantity():
    from ui.explorer import views

    choices, shown = _note("decay")
    assert shown.holds
    surface = choices.problem.build_surface()
    trajs = {run: _direct(choices, run)[1] for run in choices.optimizers}
    rows = views.noisy_rows([{} for _ in trajs], trajs, surface.min_value, 1e-3)
    for run, row in zip(trajs, rows, strict=True):
        assert f"{row['mean loss']:.3g}" in shown.text
        assert row["mean loss"] == pytest.approx(np.mean(trajs[run].losses[-30:]))


def test_item4_steps_to_tolerance_with_noise_ignores_a_lucky_dip():
    class Run:
        losses = np.array([1.0] * 50 + [1e-6] + [1.0] * 49 + [1e-6] * 60)

    settled = explorer.settled_step(Run, 0.0, 1e-3)
    assert settled == 100 + explorer.NOISY_WINDOW - 1  # not step 50, the lucky dip
    assert np.mean(Run.losses[settled - explorer.NOISY_WINDOW + 1 : settled + 1]) <= 1e-3


def test_item6_the_dashed_prediction_is_the_actual_curve_not_a_worst_case():
    from ui.explorer import runs

    turned = {"quadratic_condition": 50.0, "quadratic_angle": 45.0, "sgd_lr": 0.015, "steps": 200}
    choices = explorer.scene({**turned, "opts": ["sgd", "momentum"]})
    surface = choices.problem.build_surface()
    trajs = {run: _direct(choices, run)[1] for run in choices.optimizers}
    predicted = runs.predicted_gaps(choices, trajs, surface)
    assert set(predicted) == {"sgd", "momentum"}
    for run, traj in trajs.items():
        gaps = traj.losses - surface.min_value
        np.testing.assert_allclose(predicted[run], gaps, rtol=1e-9, atol=1e-12)


def test_rough_two_copies_set_up_alike_never_share_a_label():
    choices = explorer.scene({"opts": ["sgd", "sgd~2"]})
    labels = choices.labels
    assert len(set(labels.values())) == 2, labels
    assert labels == {"sgd": "SGD, α 0.09", "sgd~2": "SGD #2, α 0.09"}


def test_the_page_drops_a_failing_note_and_says_what_the_runs_did():
    """What the person sees: at κ = 5 the "too large a learning rate" lesson's note is not shown;
    a warning says SGD converges and gives the limit at this κ."""
    from tests import apptest

    at = apptest.app({"preset": "too_large_lr"})
    assert any("SGD at α = 0.15 diverges, the loss grows" in i.value for i in at.info)
    at.select_slider(key="quadratic_condition").set_value(5.0).run()
    assert not at.exception
    assert at.query_params["preset"] in ("too_large_lr", ["too_large_lr"])  # κ is not the lesson's
    assert not any("the loss grows without bound" in i.value for i in at.info)
    (shown,) = [w.value for w in at.warning if "Lesson:" in w.value]
    assert "SGD converges to a minimum" in shown and "2/λ_max = 0.2" in shown
