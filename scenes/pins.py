"""Pinned runs: a run's settings kept while its sliders move on, to compare with the live run (pure).

A pin is a run id ("adam", "sgd~2") with its hyperparameters and schedule, never an array: it is
run again, with the scene's surface, θ₀, steps, noise, seed and minibatch, wherever it is shown
(the page, a shared link, an export). The URL holds the pins as text, `pins=adam:lr=0.1,sgd:lr=0.05:
sched=inverse_time:sched_decay_rate=0.1`: runs separated by commas, each run's values by colons. The
text is read by `parse_pins` with an allowlist (known runs, their own parameter names, each value
checked by its `Param`), never evaluated. At most `MAX_PINS`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import optimizers
from figures import split_run_id
from optimizers.schedules import SCHEDULES
from scenes.settings import NotANumberError, Setting, fmt

MAX_PINS = 5
PIN_SEP, VALUE_SEP = ",", ":"
SCHED = "sched"  # the schedule's kind; its parameters are `sched_<name>`
PINNED = " (pinned)"


@dataclass(frozen=True)
class Pin:
    """One pinned run: its run id, its hyperparameters and its schedule (sorted pairs; hashable)."""

    run: str
    hyper: tuple[tuple[str, Any], ...]
    schedule: tuple[tuple[str, Any], ...] | None = None  # None: constant

    @property
    def optimizer(self) -> str:
        return split_run_id(self.run)[0]

    def text(self) -> str:
        """The pin's URL text: `run:name=value:...`."""
        parts = [self.run, *(f"{k}={fmt(v)}" for k, v in self.hyper)]
        schedule = dict(self.schedule or {})
        if schedule:
            parts.append(f"{SCHED}={schedule.pop('kind')}")
            parts += [f"{SCHED}_{k}={fmt(v)}" for k, v in sorted(schedule.items())]
        return VALUE_SEP.join(parts)


def pins_text(pins: tuple[Pin, ...]) -> str:
    return PIN_SEP.join(pin.text() for pin in pins)


def _param_value(param, raw: str) -> Any:
    try:
        return Setting.from_param(param, param.name).parse(raw)
    except NotANumberError:
        raise ValueError(f"{param.name} must be a number; got {raw[:40]!r}") from None


def parse_pin(text: str, runs: tuple[str, ...]) -> Pin:
    """One pin from its text; raises ValueError saying what is wrong."""
    run, *items = text.split(VALUE_SEP)
    if run not in runs:
        raise ValueError(f"a pin names a run of the explorer, not {run[:40]!r}")
    given: dict[str, str] = {}
    for item in items:
        key, sep, raw = item.partition("=")
        if not sep or key in given:
            raise ValueError(f"a pin's values are name=value, each once; got {item[:40]!r}")
        given[key] = raw
    params = {p.name: p for p in optimizers.OPTIMIZERS[split_run_id(run)[0]].hyper}
    kind = given.pop(SCHED, "constant")
    if kind not in SCHEDULES:
        raise ValueError(f"a pin's schedule is one of {', '.join(SCHEDULES)}; got {kind[:40]!r}")
    sparams = {f"{SCHED}_{p.name}": p for p in SCHEDULES[kind].params}
    unknown = sorted(set(given) - set(params) - set(sparams))
    if unknown:
        names = ", ".join([*params, SCHED, *sparams])
        raise ValueError(f"a pin of {run} takes {names}; not {', '.join(k[:40] for k in unknown)}")
    hyper = {k: _param_value(params[k], raw) for k, raw in given.items() if k in params}
    schedule = {
        k.removeprefix(f"{SCHED}_"): _param_value(p, given[k]) for k, p in sparams.items() if k in given
    }
    full = {p.name: p.default for p in SCHEDULES[kind].params} | schedule
    return Pin(
        run,
        tuple(sorted(hyper.items())),
        None if kind == "constant" else tuple(sorted({"kind": kind, **full}.items())),
    )


def parse_pins(text: str, runs: tuple[str, ...]) -> tuple[Pin, ...]:
    """The pins of a link's text ('' for none); raises ValueError saying what is wrong."""
    if not text:
        return ()
    parts = text.split(PIN_SEP)
    if len(parts) > MAX_PINS:
        raise ValueError(f"at most {MAX_PINS} pins, got {len(parts)}")
    pins = tuple(parse_pin(part, runs) for part in parts)
    if len(set(pins)) != len(pins):
        raise ValueError("a run is pinned twice")
    return pins


def with_defaults(pin: Pin, defaults: Mapping[str, Any]) -> Pin:
    """The pin with every hyperparameter: the ones it names, else `defaults` (the page's for its run)."""
    return Pin(pin.run, tuple(sorted({**defaults, **dict(pin.hyper)}.items())), pin.schedule)


def compact(pin: Pin, defaults: Mapping[str, Any]) -> Pin:
    """The pin naming only the hyperparameters that differ from `defaults` (a shorter link)."""
    return Pin(pin.run, tuple((k, v) for k, v in pin.hyper if defaults.get(k) != v), pin.schedule)


def _short(value: Any) -> str:
    return f"{value:.3g}" if isinstance(value, float) else str(value)


def pin_label(pin: Pin, base: str, live: tuple[Mapping[str, Any], Mapping[str, Any] | None] | None) -> str:
    """'Adam, α 0.1 (pinned)': the run's label `base` and what differs from the live run `live`
    ((hyperparameters, schedule) of the same run id, None if it is not raced): α always when no
    live run is there to compare with."""
    order = [p.name for p in optimizers.OPTIMIZERS[pin.optimizer].hyper]  # α first, as the sliders
    hyper = dict(sorted(pin.hyper, key=lambda item: order.index(item[0]) if item[0] in order else len(order)))
    schedule = dict(pin.schedule or {"kind": "constant"})
    if live is None:
        keys = ["lr"] if "lr" in hyper else []
        live_schedule = {"kind": "constant"}
    else:
        keys = [k for k in hyper if repr(hyper[k]) != repr(live[0].get(k))]
        live_schedule = dict(live[1] or {"kind": "constant"})
    parts = [("α" if k == "lr" else k) + " " + _short(hyper[k]) for k in keys]
    if schedule != live_schedule:
        sinfo = SCHEDULES[schedule["kind"]]
        extra = [f"{k} {_short(v)}" for k, v in schedule.items() if k != "kind" and live_schedule.get(k) != v]
        parts.append(
            ", ".join([sinfo.label, *extra]) if schedule["kind"] == live_schedule["kind"] else sinfo.label
        )
    return ", ".join([base, *parts]) + PINNED
