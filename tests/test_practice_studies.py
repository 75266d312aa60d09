"""The training-practice page's studies (`training.studies`) and the claims of its lesson presets,
checked on the engine's numbers (the notes on the page say what these tests assert)."""

from __future__ import annotations

import re

import numpy as np
import pytest

from optimizers import OPTIMIZERS
from scenes import practice as sp
from scenes.practice import PRESETS, preset_setup
from scenes.settings import fmt
from training import make_model, train
from training import studies as ts
from training.datasets import make_dataset

SINE = ts.Setup(dataset="sine", n_samples=60, noise=0.3, optimizer="newton", epochs=1)
MOONS = ts.Setup(
    dataset="moons",
    n_samples=120,
    noise=0.2,
    label_noise=0.1,
    model="mlp",
    hidden=(8,),
    optimizer="adam",
    hyper=(("lr", 0.02),),
    epochs=30,
    batch_size=16,
)


# --------------------------------------------------------------------------- the presets' claims


CLAIMS = [(name, claim) for name, preset in PRESETS.items() for claim in preset.claims]
_KNOWN: dict[str, dict] = {}  # the facts of each preset's scenes, computed once for all its claims


@pytest.mark.parametrize("name", list(PRESETS))
def test_every_preset_has_claims(name):
    assert PRESETS[name].claims, f"preset {name} has no claim to check"


@pytest.mark.parametrize(("name", "claim"), CLAIMS, ids=[f"{n}: {c.text}" for n, c in CLAIMS])
def test_every_claim_of_every_preset_holds_on_the_trainers_numbers(name, claim):
    verdict = sp.check(claim, name, _KNOWN.setdefault(name, {}))
    assert verdict.holds, f"{name}: '{claim.text}' is false: {verdict.why}"


def test_a_false_claim_is_caught():
    claim = sp.Claim(
        "degree 15 fits the training data worse than degree 4", "degree15.train", ">", "degree4.train"
    )
    assert not sp.check(claim, "overfit15").holds


def test_every_preset_maps_to_a_valid_setup():
    for name in PRESETS:
        setup = preset_setup(name)
        setup.build()
        assert setup.dataset == PRESETS[name].settings["dataset"]


def test_overfit15_degree_15_fits_train_best_and_validation_worst_than_degree_4():
    setup = preset_setup("overfit15")
    assert (setup.degree, setup.optimizer, setup.n_samples) == (15, "newton", 30)
    under, right, over = ts.capacity_panels(setup)
    assert over.train_error < right.train_error < under.train_error  # more capacity fits train better
    assert over.val_error > 3 * right.val_error  # ... but degree 15 swings between the points
    assert under.val_error > right.val_error  # degree 1 is too simple for the validation data too


def test_early_stopping_validation_loss_rises_after_the_best_epoch():
    setup = preset_setup("early_stopping")
    assert setup.hidden == (64, 64) and setup.label_noise == 0.1
    h = ts.fit(setup)
    best = h.best_epoch
    assert 0 < best < setup.epochs // 4  # the best validation loss comes early
    assert h.val_loss[-1] > 1.5 * h.val_loss[best]  # then the validation loss rises ...
    assert h.train_loss[-1] < 0.5 * h.train_loss[best]  # ... while the training loss keeps falling


def test_cv_degree_five_fold_picks_a_low_degree_and_the_single_split_a_higher_one():
    setup = preset_setup("cv_degree")
    k = PRESETS["cv_degree"].settings["cv_k"]
    assert k == 5
    degrees = ts.VALIDATION_VALUES["degree"]
    points = [ts.cv_point(setup, "degree", d, k) for d in degrees]
    scores = np.array([p[0] for p in points])  # (15, 5)
    single = np.array([p[1] for p in points])
    cv_pick = degrees[int(np.argmin(scores.mean(1)))]
    single_pick = degrees[int(np.argmin(single))]
    assert 3 <= cv_pick <= 5
    assert single_pick > cv_pick
    assert scores[-1].std() > 10 * scores[cv_pick - 1].std()  # high degrees vary from fold to fold


def test_bias_variance_degree_1_is_high_bias_and_degree_15_high_variance():
    setup = preset_setup("bias_variance")
    human, estimate = ts.human_level(setup)
    assert human == pytest.approx(setup.noise**2) and not estimate
    verdicts = {}
    for degree in (1, 15):
        h = ts.fit(setup.replace(degree=degree))
        train_err, val_err = (float(e[-1]) for e in ts.epoch_errors(h))
        verdicts[degree] = ts.diagnose(human, train_err, val_err)
    assert verdicts[1].verdict == "high bias" and verdicts[1].avoidable_bias > 0.05
    assert verdicts[15].verdict == "high variance" and verdicts[15].variance > 0.1
    assert verdicts[15].avoidable_bias < 0  # it fits the noise: below the best reachable error


# --------------------------------------------------------------------------- the studies


def test_newton_lands_on_the_ridge_solution_in_one_step():
    setup = SINE.replace(degree=6, l2=1e-3)
    X, y = setup.data()
    tr, _, _ = setup.parts()
    h = ts.fit(setup)
    model = setup.build()
    J = model.jacobian(model.init(0), X[tr], y[tr])
    r0 = model.residuals(np.zeros(model.n_params), X[tr], y[tr])
    ridge = np.linalg.lstsq(J, -r0, rcond=None)[0]
    np.testing.assert_allclose(h.thetas[1], ridge, rtol=1e-6, atol=1e-8)


def test_hessian_condition_of_degree_15_is_huge_and_l2_lowers_it():
    kappa = ts.hessian_condition(SINE.replace(n_samples=500))
    assert 1e9 < kappa < 1e13
    assert ts.hessian_condition(SINE.replace(n_samples=500, l2=1e-3)) < kappa / 100


def test_error_is_mse_for_regression_and_error_rate_for_classification():
    model = make_model("mlp", hidden=(4,), task="classification")
    theta = model.init(0)
    X = np.array([[0.0, 1.0], [1.0, 0.0], [0.5, 0.5]])
    p = model.predict(theta, X)
    y = (p > 0.5).astype(float)
    y[0] = 1.0 - y[0]  # one of three wrong
    assert ts.error(model, theta, X, y) == pytest.approx(1 / 3)
    poly = make_model("polynomial", degree=1)
    assert ts.error(poly, np.array([0.0, 1.0]), np.array([[0.5]]), np.array([1.5])) == pytest.approx(1.0)


def test_human_level_is_the_label_noise_and_an_estimate_above_it_when_inputs_are_noisy():
    value, estimate = ts.human_level(MOONS)
    assert value > 0.1 and estimate  # noisy inputs of the two classes overlap: more than p
    assert ts.human_level(MOONS.replace(noise=0.0)) == (0.1, False)


@pytest.mark.parametrize(
    ("human", "train_err", "val_err", "verdict"),
    [(0.01, 0.15, 0.16, "high bias"), (0.01, 0.02, 0.2, "high variance"), (0.01, 0.15, 0.4, "both")],
)
def test_diagnose_names_the_larger_gap(human, train_err, val_err, verdict):
    d = ts.diagnose(human, train_err, val_err)
    assert d.verdict == verdict
    assert d.avoidable_bias == pytest.approx(train_err - human)
    assert d.variance == pytest.approx(val_err - train_err)
    assert ("bigger model" in d.remedy) == (verdict in ("high bias", "both"))


def test_cv_folds_partition_train_plus_validation_and_keep_the_test_part_out():
    tr, va, te = MOONS.parts()
    folds = ts.cv_folds(MOONS, 4)
    vals = np.concatenate([v for _, v in folds])
    np.testing.assert_array_equal(np.sort(vals), np.sort(np.concatenate([tr, va])))
    for fold_train, fold_val in folds:
        assert not np.intersect1d(fold_train, te).size and not np.intersect1d(fold_val, te).size
        assert not np.intersect1d(fold_train, fold_val).size


def test_cv_point_first_order_matches_training_each_fold_alone():
    folds = ts.cv_folds(MOONS, 3)
    scores, single = ts.cv_point(MOONS, "l2", 1e-3, 3)
    assert scores.shape == (3,)
    size = min(len(t) for t, _ in folds)  # the batched run trains every fold on as many samples
    X, y = MOONS.data()
    model = MOONS.replace(l2=1e-3).build()
    for (fold_train, fold_val), score in zip(folds, scores, strict=True):
        t = fold_train[:size]
        h = train(model, X[t], y[t], X[fold_val], y[fold_val], "adam", 30, 16, MOONS.seed, lr=0.02)
        assert score == pytest.approx(1.0 - h.val_acc[-1], abs=1e-9)
    tr, va, _ = MOONS.parts()
    h = train(model, X[tr], y[tr], X[va], y[va], "adam", 30, 16, MOONS.seed, lr=0.02)
    assert single == pytest.approx(1.0 - h.val_acc[-1], abs=1e-9)


def test_learning_curve_uses_subsets_of_the_train_split():
    sizes = ts.learning_sizes(SINE.replace(degree=3))
    n_train = len(SINE.parts()[0])
    assert sizes[-1] == n_train and sizes[0] >= 4 and list(sizes) == sorted(set(sizes))
    train_err, val_err = ts.learning_curve_point(SINE.replace(degree=3), sizes[0], (0, 1, 2))
    assert train_err.shape == val_err.shape == (3,)
    assert len(set(np.round(val_err, 12))) == 3  # each seed draws its own subset
    full_train, full_val = ts.learning_curve_point(SINE.replace(degree=3), n_train, (0,))
    h = ts.fit(SINE.replace(degree=3))
    assert full_train[0] == pytest.approx(h.train_loss[-1])  # the whole train split: the page's model
    assert full_val[0] == pytest.approx(h.val_loss[-1])


def test_validation_curve_of_degree_rises_at_high_degree_on_few_points():
    setup = SINE.replace(n_samples=30)
    low = ts.validation_curve_point(setup, "degree", 3, (0, 1, 2))
    high = ts.validation_curve_point(setup, "degree", 15, (0, 1, 2))
    assert high[0].mean() < low[0].mean()  # training error falls with the degree
    assert high[1].mean() > low[1].mean()  # validation error rises


def test_grid_search_has_the_lectures_shape_and_ranks_by_validation():
    result = ts.search(MOONS, "grid")
    assert len(result.lr) == ts.SEARCH_SETTINGS == 48
    assert len(set(result.lr)) == 4 and len(set(result.l2)) == 4 and len(set(result.epochs)) == 3
    assert result.val_error[result.best] == np.nanmin(result.val_error)
    np.testing.assert_allclose(sorted(set(result.lr)), 0.02 * np.array([0.1, 0.3, 0.9, 2.7]))
    np.testing.assert_array_equal(sorted(set(result.l2)), [1e-4, 1e-3, 1e-2, 1e-1])  # no float noise
    # the best setting's parameters are the run stopped at its epoch budget
    X, y = MOONS.data()
    tr, va, _ = MOONS.parts()
    model = MOONS.replace(l2=result.best_l2).build()
    h = train(model, X[tr], y[tr], X[va], y[va], "adam", int(result.epochs[result.best]), 16, MOONS.seed,
              lr=float(result.lr[result.best]))  # fmt: skip
    np.testing.assert_allclose(h.theta, result.best_theta, rtol=1e-6, atol=1e-9)
    assert 0.0 <= ts.search_test_error(MOONS, result) <= 1.0


def test_random_search_draws_settings_inside_the_grids_ranges():
    result = ts.search(MOONS, "random", seed=3)
    assert len(result.lr) == ts.SEARCH_SETTINGS and len(set(result.lr)) == ts.SEARCH_SETTINGS
    assert np.all((result.lr >= 0.02 * 0.1 - 1e-12) & (result.lr <= 0.02 * 2.7 + 1e-12))
    assert np.all((result.l2 >= 1e-4) & (result.l2 <= 1e-1))
    assert np.all((result.epochs >= 10) & (result.epochs <= 30)) and len(set(result.epochs)) > 10


def test_search_with_a_one_step_solver_uses_adam():
    optimizer, lr, epochs = ts.search_optimizer(SINE)
    assert optimizer == "adam" and epochs == ts.SEARCH_DEFAULT_EPOCHS
    assert lr == next(p.default for p in OPTIMIZERS["adam"].hyper if p.name == "lr")


def test_capacity_panels_for_the_mlp_use_the_widths_and_the_setups_optimizer():
    panels = ts.capacity_panels(MOONS.replace(hidden=(4, 4), epochs=5))
    assert [p.model.hidden for p in panels] == [(1, 1), (8, 8), (64, 64)]


def test_bad_settings_raise_value_errors_that_say_what_is_allowed():
    with pytest.raises(ValueError, match="polynomial model fits 1D regression"):
        MOONS.replace(model="polynomial").build()
    with pytest.raises(ValueError, match="degree, l2, width"):
        ts.validation_curve_point(SINE, "momentum", 0.9, (0,))
    with pytest.raises(ValueError, match="'grid' or 'random'"):
        ts.search(MOONS, "bayes")


def test_studies_import_neither_streamlit_nor_plotly():
    import subprocess
    import sys

    code = "import sys, training.studies; print('streamlit' in sys.modules or 'plotly' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_newton_on_degree_15_lands_on_the_true_least_squares_solution():
    """Issue 19, item 9: at n = 30 the degree-15 Hessian's condition number is about 1e11; a
    pseudo-inverse with a relative cutoff of 1e-12 on its eigenvalues dropped two directions (train
    0.0159 / validation 0.354). The least-squares solution of the design matrix (SVD / lstsq) is
    what the page's note promises."""
    setup = preset_setup("overfit15")
    X, y = setup.data()
    tr, _, _ = setup.parts()
    V = setup.build().features(X[tr])
    exact = np.linalg.lstsq(V, y[tr], rcond=None)[0]
    h = ts.fit(setup)
    np.testing.assert_allclose(h.theta, exact, rtol=1e-6, atol=1e-6 * np.abs(exact).max())
    # the normal equations hold: the gradient of the training loss vanishes
    grad = V.T @ (V @ h.theta - y[tr]) / len(tr)
    assert np.abs(grad).max() < 1e-6 * np.abs(V.T @ y[tr]).max()
    train_err, val_err = (float(e[-1]) for e in ts.epoch_errors(h))
    assert train_err < 0.0159 and val_err > 0.354  # the truncated solve fitted worse and swung less


def test_early_stopping_keeps_the_best_epochs_parameters_for_every_number():
    """Issue 19, item 15: with early stopping the kept parameters are the best epoch's, and the
    test score is theirs; without it, the last epoch's."""
    setup = preset_setup("early_stopping")
    assert setup.early_stopping
    h = ts.fit(setup)
    best = h.best_epoch
    assert 0 < best < h.epochs and ts.kept_epoch(setup, h) == best
    X, y = setup.data()
    _, _, te = setup.parts()
    at_best = float(ts.error(setup.build(), h.thetas[best], X[te], y[te]))
    at_last = float(ts.error(setup.build(), h.theta, X[te], y[te]))
    assert ts.test_error(setup, h) == at_best
    plain = setup.replace(early_stopping=False)
    assert ts.kept_epoch(plain, h) == h.epochs and ts.test_error(plain, h) == at_last


def test_the_best_epoch_is_not_picked_by_round_off():
    """Newton lands in one step; later epochs stay there up to the last digits of the loss, which
    must not move the best epoch off epoch 1 (the page said "best epoch 4")."""
    h = ts.fit(SINE.replace(degree=6, epochs=6))
    assert np.ptp(h.val_loss[1:]) < 1e-12 * h.val_loss[1]  # equal up to round-off
    assert h.best_epoch == 1


def test_error_rates_carry_no_round_off():
    """ "training error 1.11e-15" and 0.17499999999999982 in a CSV: 1 - accuracy in floats."""
    from types import SimpleNamespace

    acc = np.array([1.0 - 1.11e-15, 1.0 - 0.17499999999999982])
    train, val = ts.epoch_errors(SimpleNamespace(task="classification", train_acc=acc, val_acc=acc))
    assert train.tolist() == [0.0, 0.175] and repr(float(val[1])) == "0.175"


def test_search_ties_are_broken_by_the_validation_loss_whatever_the_rows_order():
    """Issue 19, item 13: equal validation errors are ranked by the validation loss; the choice
    (and so the test score) does not depend on the order of the rows."""
    err = np.array([0.2, 0.1, 0.1, 0.3, 0.1])
    loss = np.array([0.5, 0.42, 0.40, 0.1, 0.41])
    order, tied_error, tied = ts.rank_settings(err, loss)
    assert order[0] == 2 and (tied_error, tied) == (3, 1)
    rng = np.random.default_rng(0)
    for _ in range(5):
        perm = rng.permutation(len(err))
        assert perm[ts.rank_settings(err[perm], loss[perm])[0][0]] == 2
    _, _, tied = ts.rank_settings(np.array([0.1, 0.1]), np.array([0.4, 0.4]))
    assert tied == 2  # a true tie: the page says so
    result = ts.search(MOONS, "grid")
    best_err = result.val_error[result.best]
    same = result.val_error == best_err
    assert best_err == result.val_error.min() and result.val_loss[result.best] == result.val_loss[same].min()


def test_capacity_titles_come_from_the_errors_by_the_stated_rule():
    """Issue 19, item 10: at n = 60 (seed 0) degree 15 has the lowest validation error, so it is
    not "overfitting"; every title follows the rule on other data too."""
    panels = ts.capacity_panels(SINE)
    assert min(panels, key=lambda p: p.val_error).title == "degree 15: about right"
    assert not any(p.title.endswith("overfitting") for p in panels)
    for n, seed in [(30, 0), (30, 1), (200, 1), (1000, 1)]:
        panels = ts.capacity_panels(SINE.replace(n_samples=n, seed=seed))
        best = min(panels, key=lambda p: p.val_error)
        for i, p in enumerate(panels):
            word = p.title.split(": ")[1]
            if p is best:
                assert word == "about right"
            elif p.val_error <= best.val_error * (1 + ts.CAPACITY_TIE):
                assert word == "about right too"
            elif word == "underfitting":
                assert i < panels.index(best) and p.train_error > best.train_error
            else:
                assert word == "overfitting" and i > panels.index(best) and p.train_error < best.train_error


def test_capacity_verdicts_name_neither_when_the_numbers_fit_no_word():
    assert ts.capacity_verdicts([0.3, 0.1, 0.2], [0.5, 0.2, 0.3]) == [
        "underfitting", "about right", "worse on validation",
    ]  # fmt: skip
    assert ts.capacity_verdicts([0.3, 0.1, 0.05], [0.5, 0.2, 0.205]) == [
        "underfitting", "about right", "about right too",
    ]  # fmt: skip


def test_the_best_possible_classification_error_is_the_bayes_error_not_the_flip_rate():
    """Issue 19, item 12: default moons (noise 0.2, p = 0.05) has a best possible error of about
    0.13 (0.09 at p = 0), not p; so train 0.118 / validation 0.135 is no "high bias"."""
    moons = ts.Setup(dataset="moons", n_samples=200, noise=0.2, label_noise=0.05, model="mlp")
    best, se = ts.best_error(moons)
    assert 0.115 < best < 0.145 and 0 < se < 0.005
    assert 0.075 < ts.best_error(moons.replace(label_noise=0.0))[0] < 0.105
    assert ts.best_error(moons.replace(noise=0.0)) == (0.05, 0.0)  # separate classes: p exactly
    assert ts.diagnose(best, 0.118, 0.135).verdict != "high bias"
    # a trained network does not beat it on 20,000 fresh samples (up to sampling error)
    X, y = make_dataset("moons", 20_000, 0.2, 7, label_noise=0.05)
    trained = ts.fit(moons.replace(n_samples=1000, hidden=(16, 16), optimizer="adam", hyper=(("lr", 0.01),),
                                   epochs=100, batch_size=32))  # fmt: skip
    fresh = float(ts.error(moons.replace(hidden=(16, 16)).build(), trained.theta, X, y))
    assert best <= fresh + 3 * np.sqrt(fresh * (1 - fresh) / len(y)) + 3 * se


# --------------------------------------------------------------------------- cancelling a job


class _CancelledError(Exception):
    """What a Cancel button's progress callback raises."""


def _stopping_after(calls: int, seen: list):
    def progress(done: int, total: int) -> None:
        seen.append((done, total))
        if len(seen) >= calls:
            raise _CancelledError

    return progress


@pytest.mark.parametrize(
    "setup",
    [
        ts.Setup(dataset="sine", n_samples=40, optimizer="newton", epochs=20),
        ts.Setup(dataset="sine", n_samples=40, optimizer="adam", epochs=20),
    ],
    ids=["second-order", "first-order"],
)
def test_a_raised_progress_callback_stops_the_single_training(setup):
    seen: list = []
    with pytest.raises(_CancelledError):
        ts.fit_job(setup, progress=_stopping_after(3, seen))
    assert seen == [(1, 20), (2, 20), (3, 20)]  # the bar moved epoch by epoch and stopped at once


def test_a_raised_progress_callback_stops_a_study_the_same_way():
    setup = ts.Setup(dataset="sine", n_samples=40, optimizer="adam", epochs=20)
    seen: list = []
    with pytest.raises(_CancelledError):
        ts.learning_curve(setup, seeds=(0,), progress=_stopping_after(3, seen))
    assert len(seen) == 3


# --------------------------------------------------------------------------- the live note


def test_the_live_note_keeps_the_presets_own_settings_and_the_pages_others():
    own = preset_setup("bias_variance")
    page = own.replace(degree=15, seed=3)  # degree is the preset's (its note says "set 15"), seed is not
    scene = sp.preset_scene("bias_variance", page)
    assert scene.degree == own.degree and scene.seed == 3
    assert sp.live_note("bias_variance", page)[0] == sp.live_note("bias_variance", own.replace(seed=3))[0]


def test_the_live_note_is_shown_on_the_presets_scene_and_replaced_when_a_claim_fails():
    own = preset_setup("early_stopping")
    assert sp.live_note("early_stopping", own) == (True, PRESETS["early_stopping"].note)
    collapsing = own.replace(schedule=(("decay_rate", 0.05), ("kind", "step"), ("step_size", 1)))
    shown, text = sp.live_note("early_stopping", collapsing)
    assert not shown and "and then rises" in text and "the validation loss at the last epoch" in text


# Pages a student reaches from each preset: settings it does not own (seed, split) and owned ones
# changed on top (n, noise). Each preset fails somewhere in this list (asserted below).
PERTURBED = (
    {"seed": 1},
    {"seed": 3},
    {"seed": 4},
    {"seed": 7},
    {"seed": 9},
    {"seed": 4, "n_samples": 60},
    {"seed": 9, "n_samples": 45, "noise": 0.25},
    {"seed": 2, "fractions": (0.5, 0.25, 0.25)},
)
# What a student must never read: fact keys (cv.pick, fit.best_epoch, degree15), operators, Python.
INTERNAL = re.compile(r"[A-Za-z_]\.[A-Za-z_]|\w_\w|\b[a-z]+\d+\b|[<>]|==|!=|\b(None|True|False)\b|(^|\s)'")
NUMBER = re.compile(r"(?<![\w.])\d+(?:\.\d+)?(?:e[-+]?\d+)?")


def _numbers_on_page(scene: ts.Setup, cv: tuple[str, int] | None) -> set[str]:
    """The numbers the page shows for `scene`, formatted as the page does: the summary metrics
    (4 significant digits), the best epoch and epoch count, the loss chart's values at the best and
    the last epoch, the diagnosis table's best reachable error, the capacity panels' titles (3
    digits) and the CV table (values, std to 4 digits)."""
    history = ts.fit(scene)
    kept = ts.kept_epoch(scene, history)
    best = history.best_epoch
    train_err, val_err = ts.epoch_errors(history)
    out = {f"{train_err[kept]:.4g}", f"{val_err[kept]:.4g}", str(best), str(kept), str(history.epochs)}
    out |= {f"{loss[e]:.4g}" for loss in (history.train_loss, history.val_loss) for e in (best, -1)}
    out.add(f"{ts.best_error(scene)[0]:.4g}")
    if scene.model == "polynomial":
        for panel in ts.capacity_panels(scene):
            out |= {
                panel.title.split(":")[0].split()[-1],
                f"{panel.train_error:.3g}",
                f"{panel.val_error:.3g}",
            }
    if cv is not None:
        result = ts.cross_validation(scene, cv[0], cv[1])
        out |= {fmt(v) for v in result.values} | {f"{s:.4g}" for s in result.scores.std(1)}
    return out


@pytest.mark.parametrize("name", list(PRESETS))
def test_a_failing_live_note_says_in_words_what_the_numbers_on_the_page_show(name):
    preset = PRESETS[name]
    settings = preset.settings
    cv = (settings.get("cv_param", sp.CV_PARAM.default), int(settings.get("cv_k", sp.CV_K.default)))
    uses_cv = any(c.fact.startswith("cv.") for c in preset.claims)
    failures = 0
    for change in PERTURBED:
        page = preset_setup(name).replace(**change)
        shown, text = sp.live_note(name, page, cv)
        if shown:
            continue
        failures += 1
        said = re.sub(r"“[^”]*”", "“…”", text)  # the note's own words are quoted, not what the page says
        assert not INTERNAL.search(said), f"{change}: internal words in {text!r}"
        scene = sp.preset_scene(name, page)
        allowed = _numbers_on_page(scene, cv if uses_cv else None)
        for claim in preset.claims:  # a claim's "try" (n = 300) names its scene's numbers
            if claim.change:
                allowed |= {fmt(v) for _, v in claim.change}
                allowed |= _numbers_on_page(sp._changed(scene, claim.change), None)
        if scene != page:  # the text names the lesson's own settings it speaks of
            allowed |= {str(v) for v in settings.values()}
        stray = [n for n in NUMBER.findall(said) if n not in allowed]
        assert not stray, f"{change}: {stray} are not numbers on the page, in {text!r}"
    assert failures, f"no perturbation makes {name}'s note fail: the test would check nothing"
