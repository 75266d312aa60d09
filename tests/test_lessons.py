"""Every lesson preset's claim, asserted on the engine's numbers (issue 10, defect 2).

A preset keeps its claims next to it as data (`scenes.claims.Claim`); `lesson_runs.scene_runs` runs the
scene with the explorer's defaults (the surface's suggested α and steps, the registry's defaults),
and `lesson_runs.check` says whether a claim holds. Noisy scenes compare means over the last steps and
over several seeds, never one final draw.
"""

from __future__ import annotations

import numpy as np
import pytest

from scenes import lesson_runs, lessons


@pytest.mark.parametrize("name", list(lessons.PRESETS))
def test_every_preset_states_claims(name):
    assert lessons.PRESETS[name].claims, f"preset {name} has no claim to check"


@pytest.mark.parametrize(
    ("name", "claim"),
    [(name, claim) for name, preset in lessons.PRESETS.items() for claim in preset.claims],
    ids=lambda v: v if isinstance(v, str) else v.text[:40],
)
def test_every_preset_claim_holds_on_the_engine(name, claim):
    verdict = lesson_runs.check(claim, lessons.PRESETS[name].settings)
    assert verdict.holds, f"{name}: {claim.text}: {verdict.why}"


def test_rmsprop_valley_numbers_match_the_leads_measurements():
    _, runs = lesson_runs.scene_runs(lessons.PRESETS["rmsprop_valley"].settings)
    sgd, rms = runs["sgd"], runs["rmsprop"]
    assert sgd.status == "max_steps" and sgd.losses[-1] == pytest.approx(8.6e-3, rel=0.05)
    assert rms.status == "converged" and rms.n_steps == 71


def test_a_false_claim_is_caught():
    """The checker can fail: the old RMSProp valley (κ = 10, SGD α = 0.09) makes SGD win."""
    old = {"surface": "quadratic", "opts": ["sgd", "rmsprop"]}
    claim = lessons.Claim("RMSProp ends closer than SGD", "rmsprop", beats="sgd")
    assert not lesson_runs.check(claim, old).holds
    diverges = lessons.Claim("SGD diverges", "sgd", status="diverged")
    assert not lesson_runs.check(diverges, old).holds


def test_the_decay_preset_compares_two_copies_over_seeds():
    preset = lessons.PRESETS["decay"]
    assert preset.settings["opts"] == ["sgd", "sgd~2"]
    (claim,) = [c for c in preset.claims if c.beats and c.seeds > 1]
    assert claim.seeds >= 5 and claim.last >= 10
    gaps = lesson_runs.mean_gaps(claim, preset.settings)
    assert gaps["sgd~2"] < gaps["sgd"]
    assert np.isfinite(list(gaps.values())).all()


def test_lm_rejection_preset_rejects_then_converges():
    _, runs = lesson_runs.scene_runs(lessons.PRESETS["lm_rejects"].settings)
    lm = runs["lm"]
    accepted = lm.records["accepted"]
    assert (accepted == 0).sum() >= 3 and accepted[-1] == 1
    assert lm.status == "converged"
