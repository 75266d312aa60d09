"""`ui.explorer.views.RunsMemo`: a view's result is reused only for the very same run objects and
arguments, never for equal-looking other runs."""

from __future__ import annotations

import numpy as np

from ui.explorer.views import RunsMemo


class _Run:
    def __init__(self, values) -> None:
        self.values = np.asarray(values, dtype=float)


def test_the_same_objects_and_key_reuse_the_result():
    memo, calls = RunsMemo(), []
    a, b = _Run([1, 2]), _Run([3])

    def build():
        calls.append(1)
        return float(a.values.sum() + b.values.sum())

    assert memo.get((a, b), ("x", 1), build) == 6.0
    assert memo.get((a, b), ("x", 1), build) == 6.0
    assert len(calls) == 1
    assert memo.get((a, b), ("x", 2), build) == 6.0  # another argument: built again
    assert len(calls) == 2


def test_other_objects_with_equal_values_are_built_again():
    memo = RunsMemo()
    first = _Run([1.0])
    assert memo.get((first,), (), lambda: "first") == "first"
    other = _Run([1.0])  # equal values, another run object (e.g. a recomputed run)
    assert memo.get((other,), (), lambda: "other") == "other"
    assert memo.get((first,), (), lambda: "again") == "first"


def test_an_entry_keeps_its_objects_so_their_ids_are_not_reused():
    memo = RunsMemo(maxsize=4)
    # No reference is kept here: were the entries keyed by bare ids, a freed run's id would come
    # back for the next run (CPython reuses it at once) and hit the old result.
    for i in range(50):
        assert memo.get((_Run([i]),), (), lambda i=i: i) == i


def test_old_entries_are_evicted():
    memo, calls = RunsMemo(maxsize=2), []
    runs = [_Run([i]) for i in range(3)]
    for r in runs:
        memo.get((r,), (), lambda: calls.append(1))
    memo.get((runs[0],), (), lambda: calls.append(1))  # evicted by the third: built again
    assert len(calls) == 4
