"""The training-practice page's study views: learning and validation curves, hyperparameter
search, cross-validation and the bias / variance table; each study starts on its button and runs
through the job runner."""

from __future__ import annotations

from typing import Any

import numpy as np
import streamlit as st

import optimizers
from figures import log_axis
from figures import training as ft
from scenes.practice import CV_K, CV_PARAM, KEY, LC_SEEDS, PARAM_LABELS, SEARCH_METHOD, VC_PARAM
from training import studies as ts
from training.trainer import FIRST_ORDER
from ui.common import PLOTLY_CONFIG
from ui.practice import shared
from ui.settings import UrlState, draw, fmt


def curves_view(url: UrlState, setup: ts.Setup, history) -> None:
    st.subheader("Learning curve: error against the training-set size", divider="gray")
    st.caption(
        "Each point trains on n samples drawn from the training part (per seed) and validates on the "
        "validation part. A gap that closes as n grows is variance (more data helps); two curves that "
        "meet high above the best reachable error are bias (more data does not help)."
    )
    seeds_n = draw(LC_SEEDS, url)
    seeds = tuple(range(int(seeds_n)))
    sizes = ts.learning_sizes(setup)
    human, _ = ts.human_level(setup)
    lc_seconds = ts.estimated_seconds("learning_curve", setup, seeds=seeds)
    if shared.job_button("lc", (setup, seeds), "Compute the learning curve", lc_seconds) and (
        curve := shared.study("learning_curve", setup, "Training…", "learning curve", seeds=seeds)
    ):
        fig = ft.learning_curve_figure(
            sizes,
            curve.train_error,
            curve.val_error,
            human_error=human,
            error_label=shared.error_label(setup),
            log_y=setup.task == "regression",
        )
        st.plotly_chart(fig, key="tr_lc_chart", width="stretch", theme=None, config=PLOTLY_CONFIG)
        st.caption(f"Mean over {len(seeds)} seed(s), band ±1 std; sizes {', '.join(map(str, sizes))}.")

    st.subheader("Validation curve: error against one hyperparameter", divider="gray")
    params = ts.curve_params(setup)
    param = draw(VC_PARAM, url, options=params, default=params[-1])
    values = ts.VALIDATION_VALUES[param]
    st.caption(
        f"{PARAM_LABELS[param]} over {', '.join(fmt(v) for v in values)}; each seed draws a new "
        "train / validation split of train + validation (the test part stays out)."
    )
    vc_seconds = ts.estimated_seconds("validation_curve", setup, param=param, seeds=seeds)
    if shared.job_button("vc", (setup, param, seeds), "Compute the validation curve", vc_seconds) and (
        curve := shared.study(
            "validation_curve", setup, "Training…", "validation curve", param=param, seeds=seeds
        )
    ):
        fig = ft.validation_curve_figure(
            values,
            curve.train_error,
            curve.val_error,
            name=PARAM_LABELS[param],
            log_x=param in ("l2", "width"),
            error_label=shared.error_label(setup),
            log_y=setup.task == "regression",
        )
        st.plotly_chart(fig, key="tr_vc_chart", width="stretch", theme=None, config=PLOTLY_CONFIG)


def search_view(url: UrlState, setup: ts.Setup, history) -> None:
    import pandas as pd  # only for its tables: not on the page's first open

    optimizer, lr0, max_epochs = ts.search_optimizer(setup)
    label = optimizers.OPTIMIZERS[optimizer].label
    method = draw(SEARCH_METHOD, url)
    budgets = ts.search_budgets(max_epochs)
    grid = ts.search_grid(lr0)
    lrs, l2s = (", ".join(fmt(v) for v in sorted(set(grid[name]))) for name in ("lr", "l2"))
    st.markdown(
        f"The lecture's grid has the shape learning rate × L2 strength × iterations = 4 × 4 × 3 = "
        f"{ts.SEARCH_SETTINGS} settings; here with {label}: α ∈ {{{lrs}}}, λ ∈ {{{l2s}}}, "
        f"epochs ∈ {{{', '.join(map(str, budgets))}}}. "
        "(The lecture's λ of 10²..10⁵ would crush the weights of our losses, which are means over the "
        "samples.) Random search draws as many settings log-uniformly in the same ranges. Every "
        "setting is scored on the **validation** part; the test part stays out."
    )
    if setup.optimizer not in FIRST_ORDER:
        st.caption(
            f"{optimizers.OPTIMIZERS[setup.optimizer].label} has no learning rate to tune: the search "
            "uses Adam."
        )
    search_seconds = ts.estimated_seconds("training_search", setup)
    if not shared.job_button("search", (setup, method), "Run the search", search_seconds):
        return
    result = shared.study(
        "training_search", setup, f"Training {ts.SEARCH_SETTINGS} settings at once…", "search",
        method=method, seed=setup.seed,
    )  # fmt: skip
    if result is None:
        return
    err = shared.error_label(setup)
    table = pd.DataFrame(
        {
            "lr": result.lr,
            "L2": result.l2,
            "epochs": result.epochs,
            f"training {err}": result.train_error,
            f"validation {err}": result.val_error,
        }
    )
    table["validation loss"] = result.val_loss
    table = table.iloc[result.order].reset_index(drop=True)  # the study's ranking (ts.TIE_RULE)
    table.insert(0, "rank", np.arange(1, len(table) + 1))
    best = table.iloc[0]
    ties = ""
    if result.tied > 1:
        ties = (
            f" **{result.tied} settings tie** on both validation error and loss: any of them is as "
            "good a choice; the table lists the first of them first."
        )
    elif result.tied_error > 1:
        ties = (
            f" {result.tied_error} settings share this validation {err}; the lowest validation loss "
            "breaks the tie."
        )
    st.success(
        f"Best on validation: α = {fmt(best['lr'])}, λ = {fmt(best['L2'])}, {int(best['epochs'])} epochs "
        f"(validation {err} {best[f'validation {err}']:.4g}).{ties}"
    )
    st.caption(f"Settings {ts.TIE_RULE}.")
    st.dataframe(
        table,
        hide_index=True,
        width="stretch",
        height=320,
        column_config={
            "lr": st.column_config.NumberColumn(format="%.3g"),
            "L2": st.column_config.NumberColumn(format="%.3g"),
            f"training {err}": st.column_config.NumberColumn(format="%.4g"),
            f"validation {err}": st.column_config.NumberColumn(format="%.4g"),
            "validation loss": st.column_config.NumberColumn(format="%.4g"),
        },
    )
    st.download_button(
        "Download the table (CSV)",
        table.to_csv(index=False).encode(),
        file_name=f"search_{method}.csv",
        mime="text/csv",
        key=KEY + "search_csv",
    )
    chosen = ("search", setup, method)
    if not shared.test_shown(setup, chosen):
        shared.looks_so_far(setup)
        st.button(
            "Evaluate the chosen model on test (once)",
            key=KEY + "search_test_button",
            on_click=shared.look,
            args=(setup, chosen),
        )
        return
    st.metric(f"test {err} of the chosen model", f"{ts.search_test_error(setup, result):.4g}")
    st.caption("Evaluated after the choice: the test score did not take part in choosing.")
    shared.peeking_note(setup)


def cv_view(url: UrlState, setup: ts.Setup, history) -> None:
    import pandas as pd  # only for its tables: not on the page's first open

    cols = st.columns(2)
    k = int(draw(CV_K, url, container=cols[0]))
    params = ts.curve_params(setup)
    param = draw(CV_PARAM, url, container=cols[1], options=params, default=params[-1])
    values = ts.VALIDATION_VALUES[param]
    X, _, (tr, va, te) = shared.data(setup)
    st.markdown(
        f"**{k}-fold cross-validation** on the training and validation parts ({len(tr) + len(va)} "
        f"samples; the {len(te)} test samples stay out): each split trains on {k - 1} folds and "
        f"validates on the remaining one; every {PARAM_LABELS[param]} in "
        f"{{{', '.join(fmt(v) for v in values)}}} is trained {k} times."
    )
    st.plotly_chart(
        ft.fold_diagram(ts.cv_folds(setup, k), len(X)),
        key="tr_fold_chart",
        width="stretch",
        theme=None,
        config=PLOTLY_CONFIG,
    )
    cv_seconds = ts.estimated_seconds("cross_validation", setup, param=param, k=k)
    if not shared.job_button("cv", (setup, param, k), "Run the cross-validation", cv_seconds):
        return
    cv = shared.study("cross_validation", setup, "Cross-validating…", "cross-validation", param=param, k=k)
    if cv is None:
        return
    scores, single = cv.scores, cv.single
    err = shared.error_label(setup)
    fig = ft.cv_scores_figure(
        values,
        scores,
        name=PARAM_LABELS[param],
        score_label=f"validation {err}",
        single_split=single,
        log_x=param in ("l2", "width"),
    )
    if setup.task == "regression":
        fig.update_yaxes(**log_axis([scores, single]))  # every tick labelled in full, no bare digits
    st.plotly_chart(fig, key="tr_cv_chart", width="stretch", theme=None, config=PLOTLY_CONFIG)
    table = pd.DataFrame(
        {
            PARAM_LABELS[param]: [fmt(v) for v in values],
            **{f"fold {i + 1}": scores[:, i] for i in range(k)},
            "CV mean": scores.mean(1),
            "CV std": scores.std(1),
            "single split": single,
        }
    )
    st.dataframe(table, hide_index=True, width="stretch", column_config=shared.number_columns(table))
    cv_pick, single_pick = int(np.argmin(scores.mean(1))), int(np.nanargmin(single))
    st.markdown(
        f"**CV picks {PARAM_LABELS[param]} = {fmt(values[cv_pick])}** (mean {scores.mean(1)[cv_pick]:.4g} ± "
        f"{scores.std(1)[cv_pick]:.2g}); the single validation split would pick "
        f"{fmt(values[single_pick])} ({single[single_pick]:.4g}). The CV estimate averages {k} "
        "validations, so it depends less on which samples happened to land in the validation part."
    )
    current = {"degree": setup.degree, "l2": setup.l2, "width": setup.hidden[0]}[param]
    if current in values:  # the sidebar's own model: its CV estimate next to its single split's
        i = values.index(current)
        cols = st.columns(3)
        cols[0].metric(
            f"your model ({PARAM_LABELS[param]} = {fmt(current)}): CV estimate", f"{scores[i].mean():.4g}"
        )
        cols[1].metric("± spread over the folds (std)", f"{scores[i].std():.3g}")
        cols[2].metric("single validation split", f"{single[i]:.4g}")


def diagnosis_view(url: UrlState, setup: ts.Setup, history) -> None:
    import pandas as pd  # only for its tables: not on the page's first open

    human, standard_error = ts.best_error(setup)
    kept = ts.kept_epoch(setup, history)
    train_err, val_err = (float(e[kept]) for e in ts.epoch_errors(history))
    err = shared.error_label(setup)
    if setup.task == "regression":
        best = "the noise variance σ² (the true function is known)."
    elif standard_error == 0:
        best = "the label-noise rate p (the inputs are noise-free, so the classes do not overlap)."
    else:
        best = (
            f"the Bayes error of the generator, **{human:.3f} ± {standard_error:.3f}**, estimated by Monte "
            "Carlo with its true class probabilities: the label-noise rate p plus the overlap of the "
            "classes' noisy inputs."
        )
    st.markdown(
        f"The lecture's table for the current model ({err}). Human-level error stands for the best "
        "reachable error: " + best
    )
    st.table(_diagnosis_table(human, train_err, val_err))
    d = ts.diagnose(human, train_err, val_err)
    box = st.success if d.verdict == "good fit" else st.warning
    box(f"**{d.verdict.capitalize()}.** Remedy: {d.remedy}.")
    st.caption(
        "Avoidable bias = training error − human-level error (large: underfitting; a bigger model or "
        "longer training). Variance = validation error − training error (large: overfitting; more data "
        "or regularization)."
    )
    st.subheader("The same table for three capacities", divider="gray")
    if shared.panels_too_heavy(setup):
        st.caption(
            "Width 64 would take too long to train with these settings (see *Under- and overfitting*)."
        )
        return
    panels = shared.panels(setup)
    if panels is None:
        return
    rows = []
    for p in panels:
        dp = ts.diagnose(human, p.train_error, p.val_error)
        rows.append(
            {
                "model": p.title,
                "human-level": human,
                "training": p.train_error,
                "validation": p.val_error,
                "avoidable bias": dp.avoidable_bias,
                "variance": dp.variance,
                "diagnosis": dp.verdict,
            }
        )
    table = pd.DataFrame(rows)
    st.dataframe(table, hide_index=True, width="stretch", column_config=shared.number_columns(table))


def _diagnosis_table(human: float, train_err: float, val_err: float) -> Any:
    import pandas as pd  # only for its tables: not on the page's first open

    d = ts.diagnose(human, train_err, val_err)
    return pd.DataFrame(
        {
            "error": [
                "human-level (best reachable)",
                "training",
                "validation",
                "avoidable bias (training − human)",
                "variance (validation − training)",
            ],
            "value": [f"{v:.4g}" for v in (human, train_err, val_err, d.avoidable_bias, d.variance)],
        }
    )
