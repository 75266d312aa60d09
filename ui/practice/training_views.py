"""The training-practice page's first two views: the training (data and fit, loss curves, the
summary and the test score) and under- and overfitting (three capacities side by side)."""

from __future__ import annotations

import streamlit as st

import optimizers
from figures import training as ft
from scenes.practice import CONDITIONING_NOTE, EMA, KEY, METRIC, NEWTON_NOTE
from training import DATASETS
from training import studies as ts
from ui.common import PLOTLY_CONFIG
from ui.practice import shared
from ui.settings import UrlState, draw


def training_view(url: UrlState, setup: ts.Setup, history) -> None:
    opt_label = optimizers.OPTIMIZERS[setup.optimizer].label
    if setup.optimizer in ts.PAGE_SECOND_ORDER:
        st.info(NEWTON_NOTE.format(label=opt_label), icon=":material/target:")
    shown_test = _test_asked(setup)
    left, right = st.columns([1, 1], gap="medium")
    # The small charts and numbers first, the data figure (the largest payload) last: the page shows
    # something at once; the layout is the same.
    with right:
        _curves_fragment(url, setup, history)
    _summary(setup, history)
    _test_score(setup, history)
    with left:
        st.markdown("**The data and the model's fit** — scrub the epochs under the plot (in the browser)")
        figure = shared.data_figure(setup, shown_test, history)
        st.plotly_chart(figure, key="tr_data_chart", width="stretch", theme=None, config=PLOTLY_CONFIG)
        _, _, (tr, va, te) = shared.data(setup)
        hidden = "" if shown_test else "; the test part stays hidden until you ask for its score"
        classes = "Point colours are the classes; the outline tells the split."
        st.caption(
            f"{len(tr)} training, {len(va)} validation and {len(te)} test samples{hidden}. "
            + (classes if setup.task == "classification" else "")
        )


@st.fragment
def _curves_fragment(url: UrlState, setup: ts.Setup, history) -> None:
    """Loss (or accuracy) curves with the EMA slider; a fragment: smoothing reruns only this
    (`url.fragment` writes its settings to the URL on its own reruns)."""
    cols = st.columns([3, 2])
    metric = "loss"
    with url.fragment("curves"):
        w = draw(EMA, url, container=cols[0])
        if setup.task == "classification":
            metric = draw(METRIC, url, container=cols[1])
    fig = ft.loss_curves_figure(history, metric=metric, smoothing=w, height=470)
    st.plotly_chart(fig, key="tr_loss_chart", width="stretch", theme=None, config=PLOTLY_CONFIG)


def _summary(setup: ts.Setup, history) -> None:
    train_err, val_err = ts.epoch_errors(history)
    best = history.best_epoch
    kept = ts.kept_epoch(setup, history)
    iters = history.iters_per_epoch
    which = f"epoch {kept}, early stopping" if setup.early_stopping else "last epoch"
    cols = st.columns(4)
    cols[0].metric(f"training {shared.error_label(setup)} ({which})", f"{train_err[kept]:.4g}")
    cols[1].metric(f"validation {shared.error_label(setup)} ({which})", f"{val_err[kept]:.4g}")
    cols[2].metric(
        "best validation epoch",
        f"{best}",
        help=f"Early stopping's pick: the first epoch with the lowest validation loss, equal losses "
        f"within {ts.BEST_RTOL:.0e} (relative) counting as one (error there: {val_err[best]:.4g}).",
    )
    cols[3].metric("iterations", f"{history.iter_losses.size:,}")
    batch = ts.batch_for(setup, len(shared.data(setup)[2][0]))
    size = "the whole training set" if batch is None else f"minibatches of {batch}"
    st.caption(
        f"As in the lecture: an **iteration** is one update on one minibatch, an **epoch** one pass "
        f"over the training data. Here {size}: {iters} iteration{'s' if iters > 1 else ''} per epoch "
        f"× {history.epochs} epochs = {history.iter_losses.size:,} iterations. The per-epoch curves are "
        "the data loss (no L2 term) on the whole sets; the learning-rate schedule changes α per epoch."
    )
    if history.diverged_epoch is not None:
        st.warning(
            f"The training diverged at epoch {history.diverged_epoch}: the learning rate is too large "
            "for this model; lower it.",
            icon=":material/warning:",
        )


def _test_asked(setup: ts.Setup) -> bool:
    return shared.test_shown(setup, ("model", setup))


def _test_score(setup: ts.Setup, history) -> None:
    st.subheader("The test score", divider="gray")
    if not _test_asked(setup):
        st.caption(
            "The test part is for the very end: never used to train or to choose settings. Ask for its "
            "score once you have decided."
        )
        shared.looks_so_far(setup)
        st.button(
            "Show the test score",
            key=KEY + "test_button",
            on_click=shared.look,
            args=(setup, ("model", setup)),
        )
        return
    kept = ts.kept_epoch(setup, history)
    which = f"parameters of epoch {kept}, early stopping" if setup.early_stopping else "final parameters"
    st.metric(f"test {shared.error_label(setup)} ({which})", f"{ts.test_error(setup, history):.4g}")
    shared.peeking_note(setup)


def capacity_view(url: UrlState, setup: ts.Setup, history) -> None:
    import pandas as pd  # only for its tables: not on the page's first open

    if setup.model == "polynomial":
        st.markdown(
            "Degrees 1, 4 and 15 fitted to the **current data** (training points), each solved by "
            "Newton in one step: the ridge solution with the current L2 strength."
        )
        kappa = ts.hessian_condition(setup)
        st.info(
            CONDITIONING_NOTE + f" On the current training points it is **{kappa:.1e}**.",
            icon=":material/calculate:",
        )
    else:
        st.markdown(
            f"Hidden widths 1, 8 and 64 ({len(setup.hidden)} layer(s), {setup.activation}) on the current "
            f"data, each trained with {optimizers.OPTIMIZERS[setup.optimizer].label} for {setup.epochs} "
            "epochs as set in the sidebar."
        )
    if shared.panels_too_heavy(setup):
        st.warning(
            f"Width {max(ts.CAPACITY_WIDTHS)} trained for {setup.epochs} epochs here would take more than "
            "about ten seconds: use fewer epochs or samples, or a larger minibatch, to see the three panels.",
            icon=":material/warning:",
        )
        return
    panels = shared.panels(setup)
    if panels is None:
        return
    X, y, (tr, va, _) = shared.data(setup)
    titles = [
        f"{p.title}<br><sub>train {p.train_error:.3g} · validation {p.val_error:.3g}</sub>" for p in panels
    ]
    fig = ft.fits_figure(
        [(t, p.model, p.theta) for t, p in zip(titles, panels, strict=True)],
        X,
        y,
        {"train": tr, "validation": va},
        target=DATASETS[setup.dataset].target,
        height=420,
    )
    st.plotly_chart(fig, key="tr_capacity_chart", width="stretch", theme=None, config=PLOTLY_CONFIG)
    rows = [
        {
            "model": p.title,
            f"training {shared.error_label(setup)}": p.train_error,
            f"validation {shared.error_label(setup)}": p.val_error,
        }
        for p in panels
    ]
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
    st.caption(ts.CAPACITY_RULE)
