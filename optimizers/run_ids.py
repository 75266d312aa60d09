"""Run ids: the name of one run of an optimizer on a page. The optimizer's name for its first run,
and "<name>~<copy>" (copy 2, 3, ...) for the copies the user added to compare settings of one
method. Pure strings (no plotly), so scenes, figures and the export read them alike."""

from __future__ import annotations

COPY_SEP = "~"
MAX_COPIES = 3  # runs of one optimizer at once: the original and two copies


def split_run_id(run_id: str) -> tuple[str, int]:
    """'sgd' -> ('sgd', 1), 'sgd~2' -> ('sgd', 2). Raises ValueError for a malformed id."""
    name, sep, copy = str(run_id).partition(COPY_SEP)
    if not sep:
        return name, 1
    if not (copy.isdigit() and 2 <= int(copy) <= MAX_COPIES):
        raise ValueError(f"a copy of an optimizer is numbered 2 to {MAX_COPIES}; got {run_id!r}")
    return name, int(copy)


def run_id(name: str, copy: int) -> str:
    """The id of copy `copy` (1 = the original) of optimizer `name`."""
    return name if copy == 1 else f"{name}{COPY_SEP}{copy}"
