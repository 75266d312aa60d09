"""The search page's sentences about a search's numbers: what a score means, why settings tie,
what the step-size limit on the chart is, and the short labels of runs and scores. Every sentence
is computed from the result it describes (no streamlit)."""

from __future__ import annotations

import math

import numpy as np

import sweeps
from figures import search as tfig
from optimizers import theory


def score_words(result: sweeps.SearchResult, i: int) -> str:
    """Run i's score in words: what the number means for the loss."""
    score = float(result.score[i])
    if not np.isfinite(score):
        if result.outcome[i] == "diverged":
            return "It diverged, so it has no score."
        return f"It never got within {result.tol:g} of L* in {result.steps:,} steps, so it has no score."
    if result.score_kind == "steps":
        return (
            f"Its score {score:.0f} is the first step at which the loss came within {result.tol:g} "
            "of the minimum L*."
        )
    if result.min_value is None:
        return f"Its score {score:.3g} is the final loss L itself (this surface has no minimum L*)."
    if score <= math.log10(sweeps.SCORE_FLOOR) + 1e-9:
        return (
            f"Its score {score:.3g} is log10 of L − L*, floored at {sweeps.SCORE_FLOOR:g}: the run "
            f"reached the minimum (L − L* = {result.gap[i]:.1e}); smaller differences only say where "
            "it stopped."
        )
    return (
        f"Its score {score:.3g} is log10 of L − L*: {score:.3g} means the final loss is within "
        f"{10.0**score:.2g} of the minimum L* after {result.steps:,} steps."
    )


def tie_words(result: sweeps.SearchResult) -> str:
    """' N settings tie at this score: ...' when more than one run has the best score, else ''."""
    tied = result.tied
    if len(tied) < 2:
        return ""
    best = int(tied[0])
    if result.score_kind == "loss" and result.min_value is not None:
        hit = result.steps_to_tol[best]
        why = (
            f"it got within {result.tol:g} of L* after {hit:.0f} steps"
            if np.isfinite(hit)
            else f"none of them got within {result.tol:g} of L*"
        )
    elif result.score_kind == "steps":
        why = f"it ends at L − L* = {result.gap[best]:.1e}"
    else:
        why = "it comes first in run order"
    return (
        f" {len(tied)} settings tie at this score; they are ranked by "
        f"{result.tie_rule}, and this one comes first: {why}."
    )


def limit_words(result: sweeps.SearchResult, limit) -> str:
    """What the dashed boundary on the search chart is, and where it holds."""
    if limit.lambda_max <= 0:
        return "No step-size limit here: the Hessian at the start has no positive curvature."
    where = (
        "exact on this surface, whose Hessian is the same everywhere"
        if limit.exact
        else "local: computed from the Hessian at the start point, a guide rather than a guarantee"
    )
    record = theory.limit_record(result.optimizer)
    beta_name = record.beta if record is not None else None
    searched = beta_name is not None and beta_name in result.names
    beta = "" if beta_name is None or searched else f" at {beta_name} {result.fixed.get(beta_name, 0.0):g}"
    value = "" if searched else f" = {limit.lr:.3g}{beta}"
    text = (
        f"Dashed line: the step-size limit lr < {limit.formula}{value}, with λ_max = "
        f"{limit.lambda_max:.3g} ({where}). Larger steps overshoot and diverge on the quadratic model."
    )
    if limit.lambda_min < 0:
        text += " The Hessian has negative curvature here (a saddle): no lr converges along it."
    elif limit.exact and limit.lambda_min > 0 and record is not None and record.optimum is not None:
        text += " The white diamond: the optimal constant setting of this quadratic (if inside the ranges)."
    return text


def run_label(result: sweeps.SearchResult, i: int, template: str = "rank {rank}: {setting}") -> str:
    """'rank 3: lr=0.1, beta1=0.9' for run i (its place in the ranking, best = 1)."""
    rank = int(np.nonzero(result.order == i)[0][0]) + 1
    text = tfig.setting_text(result.names, [result.settings[n][i] for n in result.names])
    return template.format(rank=rank, setting=text)


def score_text(score: float) -> str:
    return f"{score:.3g}" if np.isfinite(score) else "—"


def running_text(runs: int, steps: int) -> str:
    return f"Running {runs:,} runs × {steps:,} steps…"
