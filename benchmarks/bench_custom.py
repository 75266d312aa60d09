"""The custom surface's speed (issue 13): building it, and evaluating it against a built-in.

Build = parse + the many-start minimum search (which evaluates the formula's Hessian at every
start each step) + one value/grad/Hessian pass: what `get_surface("custom", ...)` and the first
use of `minima` cost. Target: <= 0.5 s for any input the parser accepts, measured on the largest
ones (the 300-character, 200-node, 64-level and residual limits, the issue's 25-sine product) and
on one refused input per bound. Then the cost per point of value, grad and Hessian, batched and
on the single-run hot path, and of whole runs, against the built-in Rosenbrock.

Run alone with ``python benchmarks/bench_custom.py``; ``benchmarks/bench.py custom`` is the same.
"""

from __future__ import annotations

import sys
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the project importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np

from benchmarks.bench_engine import print_rows, timings
from optimizers import run
from surfaces import get_surface
from surfaces.custom import make_custom
from surfaces.formula import MAX_CHARS, MAX_DEPTH, parse_formula

BUILD_LIMIT = 0.5  # seconds
# The largest inputs the parser accepts, each at one of its limits.
LARGEST = {
    "293 chars: 21 terms sin(x)*cos(y)": "+".join(["sin(x)*cos(y)"] * 21),
    "274 chars: product of 25 sines (issue)": "*".join(f"sin({k % 9 + 1}*x+y)" for k in range(25)),
    "199 nodes: x*y + ... (node limit)": "+".join(["x*y"] * 50),
    "60 levels: sin(sin(...(x)))": "sin(" * 59 + "x" + ")" * 59,
    "64 levels: -(-(...x))": "-" * (MAX_DEPTH - 1) + "x",
    "every function, 227 chars": (
        "sin(x)+cos(y)+tan(x/3)+exp(-x^2)+log(1+y^2)+sqrt(1+x^2)+abs(x-y)+tanh(x)+sinh(y/2)"
        "+cosh(x/2)+atan(x*y)+x^y^2/(1+x^2)+2^x*e^y-pi*x+(x-1)^2*(y+1)^3+x^0.5+y^(1/3)+x^-2"
        "+sin(x*y)^2*cos(x-y)^3+exp(sin(x))*log(2+cos(y))+sqrt(abs(x*y))"
    ),
    "66 residuals: x+y; (node limit)": "x+y;" * 66,
    "14 residuals: 1-x; 10*(y-x^2); ...": "1 - x; 10*(y - x^2);" * 7,
}
REFUSED = {
    "1 MB of text": "x" * 1_000_000,
    "tower 9^9^9": "9^9^9",
    "((9^9)^9999)^9999": "((9^9)^9999)^9999",
    "201 nodes": "x" + "+x" * 100,
    "65 levels": "-" * MAX_DEPTH + "x",
    "full-width x": "\uff58" * 300,
}


def _build(text: str) -> None:
    s = make_custom(text, (-3.0, 3.0), (-3.0, 3.0))
    _ = s.minima
    P = np.zeros((1, 2)) + 0.5
    s.value(P), s.grad(P), s.hessian(P)


def _refuse(text: str) -> None:
    try:
        parse_formula(text)
    except ValueError:
        return
    raise AssertionError(f"accepted {text[:30]!r}")


def main(repeat: int = 5, print_table: bool = True) -> list[tuple[str, ...]]:
    rows = []
    for label, text in LARGEST.items():
        assert len(text) <= MAX_CHARS, label
        parse_best, _ = timings(lambda t=text: parse_formula(t), repeat)
        best, median = timings(lambda t=text: _build(t), repeat)
        met = "yes" if median <= BUILD_LIMIT else "NO"
        rows.append(
            (
                f"build {label}",
                f"{best * 1e3:.0f} ms ({median * 1e3:.0f}); parse {parse_best * 1e3:.2f} ms",
                "<= 500 ms",
                met,
            )
        )
    for label, text in REFUSED.items():
        best, median = timings(lambda t=text: _refuse(t), repeat)
        rows.append(
            (
                f"refuse {label}",
                f"{best * 1e6:.0f} µs ({median * 1e6:.0f})",
                "<= 500 ms",
                "yes" if median <= 0.5 else "NO",
            )
        )

    builtin = get_surface("rosenbrock")
    plain = get_surface("custom")  # (1 - x)^2 + 100*(y - x^2)^2
    residual = get_surface("custom", formula="1 - x; 10*(y - x^2)")
    P = np.random.default_rng(0).uniform((-2, -1), (2, 3), size=(10_000, 2))
    for what in ("value", "grad", "hessian"):
        for label, s in (
            ("built-in rosenbrock", builtin),
            ("custom formula", plain),
            ("custom residuals", residual),
        ):
            method = getattr(s, what)
            best, median = timings(lambda f=method: f(P), repeat)
            rows.append(
                (
                    f"{what}, 10,000 points, {label}",
                    f"{best / 1e4 * 1e9:.0f} ns/point ({median / 1e4 * 1e9:.0f})",
                    "(reference)",
                    "",
                )
            )
    x, y = np.float64(-1.5), np.float64(2.0)
    for label, s in (
        ("built-in rosenbrock", builtin),
        ("custom formula", plain),
        ("custom residuals", residual),
    ):
        best, median = timings(lambda f=s: [f.value_and_grad_xy(x, y) for _ in range(1000)], repeat)
        rows.append(
            (
                f"value_and_grad_xy, one point, {label}",
                f"{best * 1e3:.1f} µs/call ({median * 1e3:.1f})",
                "(reference)",
                "",
            )
        )
    for name, options in (("adam", {"lr": 0.01}), ("newton", {}), ("lm", {})):
        for label, s in (("built-in rosenbrock", builtin), ("custom residuals", residual)):
            best, median = timings(
                lambda f=s, n=name, o=options: run(n, f, (-1.5, 2.0), 1000, tol=0.0, **o), repeat
            )
            rows.append(
                (
                    f"run {name}, 1000 steps, {label}",
                    f"{best * 1e3:.1f} µs/step ({median * 1e3:.1f})",
                    "(reference)",
                    "",
                )
            )
    if print_table:
        print_rows(("custom surface case", "measured (best, median)", "target", "met"), rows)
    return rows


if __name__ == "__main__":
    main()
