"""One record per optimizer (issue 18): nothing outside the registry, the update rules and the
lesson data branches on an optimizer's name, and a new optimizer that forgot a piece is told which.

The source walk parses every Python module of the app (ast) and scans its JavaScript (regex) for a
comparison or membership test against a string literal that is a registry key:
`name == "adam"`, `name in ("sgd", "momentum")`, `case "lm":`, `ins.name === "lbfgs"`.
"""

from __future__ import annotations

import ast
import inspect
import re
from pathlib import Path

import pytest

from optimizers import OPTIMIZERS, Rule, registry
from optimizers.first_order import Optimizer
from optimizers.inspection import Inspector

ROOT = Path(__file__).resolve().parent.parent
# Where a name may be branched on: the records themselves, the update rules, and lesson data
# (scenes that name the optimizers they show).
ALLOWED = {
    "optimizers/registry.py",
    "optimizers/first_order.py",
    "optimizers/second_order.py",
    "optimizers/quasi_newton.py",
    "scenes/lessons.py",  # the explorer's lesson presets
}
ALLOWED_DIRS = ("scenes/lecture/",)  # the lecture's scenes and the studies they measure
SKIPPED_DIRS = {
    "tests",
    "benchmarks",
    "static",
    ".git",
    ".venv",
    "node_modules",
    "__pycache__",
}  # static: copies
NAMES = frozenset(OPTIMIZERS)


def _sources(suffix: str) -> list[Path]:
    return sorted(
        p
        for p in ROOT.rglob(f"*{suffix}")
        if not SKIPPED_DIRS & set(p.relative_to(ROOT).parts)
        and p.relative_to(ROOT).as_posix() not in ALLOWED
        and not p.relative_to(ROOT).as_posix().startswith(ALLOWED_DIRS)
    )


def _literal_names(node: ast.AST) -> set[str]:
    """Registry keys among the string literals of `node` (a constant, or a tuple/list/set of them)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return {node.value} & NAMES
    if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
        return set().union(*(_literal_names(e) for e in node.elts)) if node.elts else set()
    return set()


def name_branches(tree: ast.AST) -> list[tuple[int, str]]:
    """(line, name) of every comparison, membership test or match case against an optimizer name."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Compare):
            for side in (node.left, *node.comparators):
                found += [(node.lineno, name) for name in sorted(_literal_names(side))]
        elif isinstance(node, ast.MatchValue):
            found += [(node.lineno, name) for name in sorted(_literal_names(node.value))]
    return found


JS_BRANCH = re.compile(
    r"""(?:[!=]==?|\bcase)\s*["'](?P<a>\w+)["']|["'](?P<b>\w+)["']\s*[!=]==?|\.includes\(\s*["'](?P<c>\w+)["']"""
)


def js_name_branches(text: str) -> list[tuple[int, str]]:
    found = []
    for number, line in enumerate(text.splitlines(), 1):
        for match in JS_BRANCH.finditer(line):
            name = match.group("a") or match.group("b") or match.group("c")
            if name in NAMES:
                found.append((number, name))
    return found


def test_the_walk_finds_the_branches_it_forbids():
    """The detectors catch each form (so an empty result below means something)."""
    code = (
        "if name == 'adam': pass\n"
        "x = opt in ('sgd', 'momentum')\n"
        "y = 'lbfgs' != n\n"
        "match n:\n    case 'lm':\n        pass\n"
        "z = name == 'not_an_optimizer'\n"
        "w = p.get('momentum', 0.0)\n"
    )
    assert name_branches(ast.parse(code)) == [
        (1, "adam"),
        (2, "momentum"),
        (2, "sgd"),
        (3, "lbfgs"),
        (5, "lm"),
    ]
    js = 'if (ins.name === "lbfgs") x();\nconst a = "adam" == b;\ncase "sgd":\nconst c = "adamw" === d;'
    assert js_name_branches(js) == [(1, "lbfgs"), (2, "adam"), (3, "sgd")]


def test_no_branch_on_an_optimizer_name_outside_the_registry_rules_and_lessons():
    found = []
    for path in _sources(".py"):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        found += [f"{path.relative_to(ROOT)}:{line}: {name!r}" for line, name in name_branches(tree)]
    for path in _sources(".js"):
        found += [
            f"{path.relative_to(ROOT)}:{line}: {name!r}"
            for line, name in js_name_branches(path.read_text(encoding="utf-8"))
        ]
    assert not found, "branches on an optimizer's name (declare it in its registry record):\n" + "\n".join(
        found
    )


# ---- completeness: what a new optimizer must declare, and where its tests go ----


def _test_tables() -> dict[str, tuple[set[str], tuple[str, ...]]]:
    """The per-optimizer test tables a new one must join: table -> (names in it, kinds it covers)."""
    from tests import test_rules, test_runner, test_update_rules

    return {
        "tests/test_runner.py CONVERGENCE": (set(test_runner.CONVERGENCE), registry.KINDS),
        "tests/test_update_rules.py REFERENCES": (set(test_update_rules.REFERENCES), registry.KINDS),
        "tests/test_rules.py STACK_HYPER": (set(test_rules.STACK_HYPER), (registry.FIRST_ORDER,)),
    }


def missing_pieces(
    info: registry.OptimizerInfo, tables: dict[str, tuple[set[str], tuple[str, ...]]]
) -> list[str]:
    """What optimizer `info` forgot, in words naming the field or the table."""
    missing = []
    if info.kind not in registry.KINDS:
        missing.append(f"kind: one of {', '.join(registry.KINDS)} (got {info.kind!r})")
    if not re.fullmatch(r"#[0-9A-Fa-f]{6}", info.color or ""):
        missing.append("color: a #rrggbb colour for its paths")
    if not isinstance(info.inspector, Inspector):
        missing.append("inspector: what the step inspector shows (optimizers/inspection.py)")
    if not (info.label and info.description and info.formula and info.lecture):
        missing.append("label, description, formula and lecture (its sentences in the lecture's words)")
    if not callable(info.factory):
        missing.append("factory: its update rule")
    else:
        try:
            built = info.factory(**{p.name: p.default for p in info.hyper if p.name != "lr"})
        except TypeError as err:
            missing.append(f"factory: its update rule takes the record's hyperparameters ({err})")
        else:
            if info.kind == registry.FIRST_ORDER and not isinstance(built, Rule):
                missing.append("factory: a first-order method's rule is a first_order.Rule")
            if info.kind != registry.FIRST_ORDER and not isinstance(built, Optimizer):
                missing.append("factory: an engine Optimizer(init, update)")
    if info.kind == registry.SECOND_ORDER and info.dense_step is None:
        missing.append("dense_step: a second-order method's step for the trainer's polynomial")
    if info.kind != registry.SECOND_ORDER and info.dense_step is not None:
        missing.append("dense_step: only second-order methods train the polynomial through one")
    columns = set(info.inspector.state) if isinstance(info.inspector, Inspector) else set()
    unrecorded = sorted(columns - set(info.record_names))
    if unrecorded:
        missing.append(f"records: the inspector shows {', '.join(unrecorded)}, which no record reads")
    for table, (names, kinds) in tables.items():
        if info.kind in kinds and info.name not in names:
            missing.append(f"a test record in {table}")
    return missing


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_every_optimizer_declares_every_piece_and_has_its_test_records(name):
    assert missing_pieces(OPTIMIZERS[name], _test_tables()) == []


def test_the_completeness_check_names_what_a_new_optimizer_forgot():
    import dataclasses

    sketch = dataclasses.replace(
        OPTIMIZERS["momentum"], name="heavy_ball2", color="blue", kind=registry.SECOND_ORDER, records=()
    )
    words = "\n".join(missing_pieces(sketch, _test_tables()))
    assert "color" in words and "dense_step" in words and "an engine Optimizer" in words
    assert "the inspector shows v_x, v_y, which no record reads" in words
    assert "tests/test_runner.py CONVERGENCE" in words and "tests/test_update_rules.py REFERENCES" in words


def test_name_sets_are_derived_from_the_kinds():
    from training import studies, trainer

    assert registry.names_of(registry.FIRST_ORDER) == tuple(
        n for n, i in OPTIMIZERS.items() if isinstance(i.factory(**_defaults(i)), Rule)
    )
    assert trainer.SECOND_ORDER == studies.PAGE_SECOND_ORDER == registry.names_of(registry.SECOND_ORDER)
    assert set(trainer.TRAINABLE) | set(registry.names_of(registry.LINE_SEARCH)) == set(OPTIMIZERS)
    with pytest.raises(ValueError, match="kind"):
        registry.names_of("zeroth_order")


def _defaults(info: registry.OptimizerInfo) -> dict:
    return {p.name: p.default for p in info.hyper if p.name != "lr"}


def test_the_registry_module_says_what_it_holds():
    assert "one record each" in inspect.getdoc(registry)


# ---- the records' sentences are true (issue 19, items 3 and 7) ----


def test_rmsprop_description_per_coordinate_scaling_helps_only_an_axis_aligned_valley():
    from optimizers import run, theory
    from surfaces import get_surface

    assert "per coordinate" in OPTIMIZERS["rmsprop"].description
    final = {}
    for angle in (0.0, 45.0):
        valley = get_surface("quadratic", condition=50.0, angle=angle)
        sgd_lr = 0.9 * theory.step_limit("sgd", valley, (-3.5, 1.5)).lr  # SGD at its best stable α
        for name, lr in (("sgd", sgd_lr), ("rmsprop", 0.1)):
            final[name, angle] = run(name, valley, (-3.5, 1.5), 60, lr=lr).losses[-1]
    assert final["rmsprop", 0.0] < final["sgd", 0.0]  # lined up with the axes: RMSProp evens it out
    assert final["rmsprop", 45.0] > final["sgd", 45.0]  # rotated: it does not


def test_newton_description_says_stationary_point_and_newton_stops_at_a_maximum():
    from optimizers import run
    from surfaces import get_surface

    text = OPTIMIZERS["newton"].description
    assert "stationary point" in text and "minimum of the local quadratic model" not in text
    path = run("newton", get_surface("himmelblau"), (0.0, 0.0), 50)  # H negative definite near here
    assert path.status == "converged" and path.ending.point == "maximum"
