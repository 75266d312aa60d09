"""The explorer's views under the map: the loss chart, the summary table, the rates, the update
rules and the CSV; each draws runs already computed.

With gradient noise the table judges runs as the lessons do: the loss is the mean over the last
`scenes.explorer.NOISY_WINDOW` steps, and steps to tolerance the first step from which that mean
stays within the tolerance (`scenes.explorer.settled_step`), never one lucky draw.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from html import escape
from typing import Any
from urllib.parse import urlencode

import streamlit as st

import optimizers
from figures import explorer as fx
from figures import optimizer_color, pins
from figures.coincide import coincide_words, coinciding_groups
from optimizers.run_ids import split_run_id
from scenes import explorer as scene
from scenes.explorer import EMA, TOL, ExplorerChoices
from ui import common, plot_component
from ui.settings import UrlState, draw

DEFAULT_APP_URL = "http://localhost:8501/"  # the live link in a download when the page's own is unknown


class RunsMemo:
    """What a view derives from runs, kept while the same run objects come back: the cached runs
    (`ui.common.run_optimizer`) are the same objects on every rerun that keeps them, so a rerun that
    only moved another setting rebuilds no table or figure. Keyed by the objects' identities and the
    other (hashable) arguments; an entry holds its objects, so their ids are not reused while it
    lives, and a hit checks them by identity. Process-wide and thread-safe; results are shared
    (never mutate one)."""

    def __init__(self, maxsize: int = 64) -> None:
        self._entries: OrderedDict = OrderedDict()
        self._lock = threading.Lock()
        self._maxsize = maxsize

    def get(self, objects: tuple, key: tuple, build: Callable[[], Any]) -> Any:
        """`build()`, or its result from an earlier call with the same `objects` and `key`."""
        full = (tuple(map(id, objects)), key)
        with self._lock:
            hit = self._entries.get(full)
            if hit is not None and all(a is b for a, b in zip(hit[0], objects, strict=True)):
                self._entries.move_to_end(full)
                return hit[1]
        value = build()
        with self._lock:
            self._entries[full] = (objects, value)
            self._entries.move_to_end(full)
            while len(self._entries) > self._maxsize:
                self._entries.popitem(last=False)
        return value


_memo = RunsMemo()


def _runs_key(trajs: dict[str, Any], labels: dict[str, str] | None) -> tuple[tuple, tuple]:
    """The runs as memo objects, and their ids and labels as part of the key."""
    labels = labels or {}
    return tuple(trajs.values()), (tuple(trajs), tuple((r, labels.get(r, r)) for r in trajs))


@st.fragment
def loss_view(
    url: UrlState,
    trajs: dict[str, Any],
    min_value: float | None,
    estimated: bool = False,
    labels: dict[str, str] | None = None,
    predicted: dict[str, Any] | None = None,
    pinned: dict[str, str] | None = None,
) -> None:
    """Loss against step with the EMA slider; a fragment, so smoothing reruns only this. `pinned`:
    pin id -> run id of the pinned runs among `trajs` (drawn dashed and faded)."""
    with url.fragment("loss"):
        w = draw(EMA, url)
    # Redrawn in place in the browser (st.plotly_chart remounted it on every new run).
    plot_component.plot(_loss_wire(trajs, min_value, w, labels, predicted, pinned), key="loss_chart")
    if min_value is None and estimated:
        st.caption("No minimum was found inside the view box, so the loss is drawn as is.")
    elif min_value is None:
        st.caption("This surface has no minimum (L is unbounded below), so the loss is drawn as is.")
    else:
        about = "an estimate, " if estimated else ""
        st.caption(f"Distance of the loss to its minimum L* = {min_value:.4g} ({about}on a log scale).")


def _loss_wire(trajs, min_value, smoothing, labels, predicted, pinned) -> dict:
    """The loss chart's figure, ready for the wire (`plot_component.to_wire`), built once per runs
    and view settings (`RunsMemo`)."""
    objects, key = _runs_key(trajs, labels)
    predicted = predicted or {}
    objects += tuple(predicted.values())
    key += (min_value, smoothing, tuple(predicted), tuple(sorted((pinned or {}).items())))

    def build() -> dict:
        figure = fx.loss_figure(
            trajs, min_value=min_value, smoothing=smoothing, labels=labels, predicted=predicted
        )
        return plot_component.to_wire(pins.style_loss_figure(figure, pinned or {}))

    return _memo.get(objects, ("loss", *key), build)


@st.fragment
def summary_view(
    url: UrlState, trajs: dict[str, Any], surface, labels: dict[str, str], noise: float = 0.0
) -> None:
    """Summary table with its tolerance; a fragment, so the tolerance reruns only this."""
    with url.fragment("summary"):
        tol = draw(TOL, url)
    noisy = noise > 0 and surface.min_value is not None
    objects, key = _runs_key(trajs, labels)
    table, overlap = _memo.get(
        (*objects, surface),
        ("summary", *key, tol, noisy),
        lambda: _summary_texts(trajs, surface, labels, tol, noisy),
    )
    # Short text cells that wrap instead of being cut off, as Markdown: cheaper on every rerun than a
    # table element (pandas and Arrow in the server, another script bundle in the browser).
    st.markdown(table)
    window = scene.NOISY_WINDOW
    first = (
        f"With noisy gradients one step's loss is a lucky or unlucky draw, so the runs are judged by "
        f"the mean of L over the last {window} steps, and steps to tolerance is the first step from "
        f"which the mean of L − L\\* over {window} steps stays within the tolerance above. "
        if noisy
        else "Steps to tolerance: the first step k with L(θ_k) − L\\* within the tolerance above. "
    )
    st.caption(
        first + "Stopped at: where the gradient vanished, what kind of point the Hessian there says it is."
    )
    met = [
        f"**{labels.get(run, run)}**: {'; '.join(traj.notes)}." for run, traj in trajs.items() if traj.notes
    ]
    if met:
        st.caption("On the way: " + " ".join(met))
    if overlap:
        st.caption(overlap)


def _summary_texts(
    trajs: dict[str, Any], surface, labels: dict[str, str], tol: float, noisy: bool
) -> tuple[str, str]:
    """The summary table as Markdown, and the sentence on paths drawn as one line ('' if none)."""
    rows = fx.summary_rows(trajs, surface, tol=tol, labels=labels)
    if noisy:
        rows = noisy_rows(rows, trajs, surface.min_value, tol)
    never = "—" if surface.min_value is None else "not reached"  # no L* (saddle): nothing to reach
    cells = fx.summary_table(rows, never=never)
    if noisy:
        cells = [_with_mean(c, r) for c, r in zip(cells, rows, strict=True)]
    table = common.markdown_table(list(cells[0]), [list(row.values()) for row in cells])
    (x0, x1), (y0, y1) = surface.bounds  # paths drawn as one line: say so (figures.coincide)
    overlap = coincide_words(coinciding_groups(trajs, surface.bounds), labels, max(x1 - x0, y1 - y0))
    return table, overlap


def rates_view(trajs: dict[str, Any], labels: dict[str, str]) -> None:
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
        st.plotly_chart(
            damping, key="damping_chart", width="stretch", theme=None, config=common.PLOTLY_CONFIG
        )
        st.caption(
            "Levenberg-Marquardt has no learning rate: its damping λ_k sets the step. Step k tries "
            "(JᵀJ + λ_k D) δ = −Jᵀr; a dot marks an accepted trial (θ moves, λ ÷ 10), a cross a "
            "rejected one (θ stays, λ × 10). λ_0 is the initial damping."
        )


def csv(trajs: dict[str, Any], labels: dict[str, str]) -> bytes:
    import pandas as pd

    frames = []
    for run, traj in trajs.items():
        df = traj.to_frame()
        df.insert(0, "optimizer", traj.optimizer)
        df.insert(1, "run", labels[run])
        frames.append(df)
    return pd.concat(frames, ignore_index=True).to_csv(index=False).encode()


def update_rules(chosen: tuple[str, ...]) -> None:
    """Each chosen optimizer's rule and what it does, as one Markdown element (one element to send
    and render on every rerun instead of three per optimizer)."""
    parts = []
    for opt in dict.fromkeys(split_run_id(run)[0] for run in chosen):  # a copy shares its rule
        oinfo = optimizers.OPTIMIZERS[opt]
        parts += [
            common.swatch(optimizer_color(opt), f"<b>{oinfo.label}</b>"),
            f"$$\n{oinfo.formula.strip()}\n$$",
            oinfo.lecture or oinfo.description,  # the record's words (registry)
        ]
    if parts:
        st.markdown("\n\n".join(parts), unsafe_allow_html=True)


def noisy_rows(rows: list[dict], trajs: dict[str, Any], min_value: float, tol: float) -> list[dict]:
    """The summary rows of noisy runs judged as the lessons judge them: the mean of L over the last
    steps (`"mean loss"`), and the step from which that mean stays within the tolerance."""
    out = []
    for row, traj in zip(rows, trajs.values(), strict=True):
        if traj.status == "diverged":  # no mean to take over an exploded loss
            out.append(row | {"mean loss": None})
            continue
        out.append(
            row
            | {
                "mean loss": min_value + scene.noisy_gap(traj, min_value),
                "steps to tolerance": scene.settled_step(traj, min_value, tol),
            }
        )
    return out


def mean_column() -> str:
    return f"mean loss, last {scene.NOISY_WINDOW} steps"


def _with_mean(cells: dict[str, str], row: dict) -> dict[str, str]:
    """The table's cells with the mean loss right after the final loss."""
    out = {}
    for key, value in cells.items():
        out[key] = value
        if key == "final loss":
            out[mean_column()] = fx.compact_number(row["mean loss"])
    return out


def download_race(url: UrlState) -> None:
    """The race as one offline HTML file (`export`), built only when clicked: the callable reads the
    scene's URL values, complete by then (`UrlState.finish`), and the live app's address."""
    app_url = (st.context.url or DEFAULT_APP_URL).split("?", 1)[0]  # None under AppTest

    def build() -> bytes:
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


def pins_row(choices: ExplorerChoices) -> None:
    """Under the map: each pinned run with a button that removes it."""
    if not choices.pins:
        return
    labels = choices.pin_labels
    cols = st.columns(len(choices.pins))
    for i, (col, pid) in enumerate(zip(cols, choices.pinned, strict=True)):
        rest = scene.pins_query(choices.pins[:i] + choices.pins[i + 1 :], choices.surface)
        col.button(f"✕ {labels[pid]}", key=f"unpin_{pid}", on_click=_set_pins, args=(rest,),
                   help="Remove this pinned run", width="stretch")  # fmt: skip


def _set_pins(text: str) -> None:
    """on_click of a pin's ✕: the scene's pins without it (`scenes.explorer.PINS`)."""
    st.session_state[scene.PINS.key] = text
