"""A lesson's scene run on the engine itself (no page cache), to check its claims outside the page:
`scene_runs`, `evidence`, `check`, `mean_gaps`. The page decides the same claims on its cached runs
(`scenes.lessons.note`). Pure: no streamlit, no plotly.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from scenes import explorer
from scenes.claims import Claim, Verdict
from scenes.claims import check as check_on
from scenes.claims import mean_gaps as mean_gaps_on


def scene_runs(settings: Mapping[str, Any], seed: int | None = None) -> tuple[Any, dict[str, Any]]:
    """The scene's Surface and run id -> Trajectory of each of its runs, as the explorer runs them
    (its defaults: the surface's suggested α and steps); `seed` replaces the scene's noise seed."""
    choices = explorer.scene({**settings, **({} if seed is None else {"seed": seed})})
    evidence = explorer.SceneRuns(choices)
    return evidence.surface, evidence.runs


def evidence(settings: Mapping[str, Any]):
    """The scene `settings` run on the engine, as evidence for claims."""
    return explorer.SceneRuns(explorer.scene(settings))


def check(claim: Claim, settings: Mapping[str, Any]) -> Verdict:
    """Whether `claim` holds for the scene `settings` (run on the engine), with the numbers that decided."""
    return check_on(claim, evidence(settings))


def mean_gaps(claim: Claim, settings: Mapping[str, Any]) -> dict[str, float]:
    """Mean of L − L* over the last `claim.last` steps and seeds 0 .. claim.seeds − 1, for the
    claim's run and the run it beats."""
    return mean_gaps_on(claim, evidence({**settings, **dict(claim.change)}))
