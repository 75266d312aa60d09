"""Read the explorer's query string into the scene it shows, with the page's messages (no streamlit).

`read_query` turns an explorer link's query string into the scene's `ExplorerChoices`
(`scenes.explorer.scene`, the page's own reading: its defaults, checks and warnings) plus the view
settings the export uses (smoothing, tolerance), and refuses the link with the page's warnings when
the page would not show it as given: a value it cannot use (the default instead), a value beyond a
slider it clamps, a key nothing reads ("unknown or does not apply"), a formula or view box that
cannot be used. The custom formula goes through the engine's parser only, never evaluated.

A link that names a lesson and sets nothing the lesson sets (`?preset=lm_rejects`) opens the
lesson's scene, as on the page; the scene stays a lesson while every setting the lesson owns keeps
the lesson's value.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import surfaces
from scenes import explorer
from scenes.explorer import ExplorerChoices
from scenes.settings import Setting, escape_markdown, read, unknown_warning

RESERVED_QUERY_KEYS = {"embed", "embed_options"}  # Streamlit's own
MAX_FIELDS = 1000  # a link with more settings than this is refused before any is read
NO_PRESET = explorer.NO_PRESET


class SceneError(ValueError):
    """A link the export refuses: `messages` are the page's words for what is wrong with it."""

    def __init__(self, messages: list[str]):
        super().__init__("\n".join(messages))
        self.messages = list(messages)


@dataclass(frozen=True)
class Scene:
    """The explorer scene a link shows: its choices, the view settings the export uses, the lesson
    it still is (or "none"), and the link's own (key, value) pairs."""

    choices: ExplorerChoices
    view: dict[str, Any]  # ema, tol, view, theory, inspect, present
    preset: str
    query: tuple[tuple[str, str], ...]


def plain(message: str) -> str:
    """A page message (Markdown) as plain text for a terminal: no bold, no backslash escapes."""
    return re.sub(r"\\(.)", r"\1", message.replace("**", ""))


def parse_query(query: str) -> list[tuple[str, str]]:
    """The (key, value) pairs of a query string, or of a whole link's query (`?` and all)."""
    text = query.strip()
    if "?" in text:
        text = urlsplit(text).query if "://" in text else text.split("?", 1)[1]
    try:
        pairs = parse_qsl(text, keep_blank_values=True, max_num_fields=MAX_FIELDS)
    except ValueError:
        raise SceneError(
            [f"The link holds more than {MAX_FIELDS} settings; it is not an explorer link."]
        ) from None
    return [(k, v) for k, v in pairs if k.lower() not in RESERVED_QUERY_KEYS]


def _linked_lesson(link: Mapping[str, str]) -> dict[str, Any]:
    """The values a link stands for: a link naming just a lesson opens the lesson's scene."""
    preset = explorer.PRESETS.get(link.get("preset", ""))
    if preset is None or any(preset.owns(key) for key in link):
        return dict(link)
    return {**preset.settings, **link}


def _typed_text(values: dict[str, Any], warnings: list[str]) -> None:
    """A link's typed text (the custom formula) read as the page's formula box reads it: by the
    engine's parser, never run; text it refuses is dropped for the default, with the page's words."""
    name = values.get("surface")
    if name not in surfaces.SURFACES:
        return
    for p in surfaces.SURFACES[name].params:
        key = f"{name}_{p.name}"
        if p.text and isinstance(values.get(key), str):
            _, warning = read(Setting.from_param(p, key, check=surfaces.parse_formula), values[key])
            if warning is not None:
                warnings.append(warning)
                del values[key]


def _start_in_view(choices: ExplorerChoices, values: Mapping[str, Any], warnings: list[str]) -> None:
    """θ₀ must lie in the surface's view box, as the page's number boxes take it."""
    surface = choices.problem.build_surface()
    default = surfaces.SURFACES[choices.surface].default_start
    for i, setting in enumerate(explorer.start_settings()):
        raw = values.get(setting.key)
        if isinstance(raw, str):
            low, high = map(float, surface.bounds[i])
            label = surface.axis_labels[i]
            bounded = dataclasses.replace(setting, label=label, default=float(default[i]), low=low, high=high)
            _, warning = read(bounded, raw)
            if warning is not None:
                warnings.append(warning)


def _view(values: Mapping[str, Any], choices: ExplorerChoices, warnings: list[str]) -> dict[str, Any]:
    """The view settings: the loss chart's smoothing, the table's tolerance, the open tab and the
    row above the map (the inspector offers the runs raced)."""
    inspect = dataclasses.replace(explorer.INSPECT, options=(explorer.NO_INSPECT, *choices.optimizers))
    out = {}
    for s in (explorer.EMA, explorer.TOL, explorer.VIEW, explorer.THEORY, inspect, explorer.PRESENT):
        raw = values.get(s.key)
        value, warning = (
            (s.default, None) if raw is None else read(s, raw) if isinstance(raw, str) else (raw, None)
        )
        if warning is not None:
            warnings.append(warning)
        out[s.key] = value
    return out


def _unknown(link: Mapping[str, str], choices: ExplorerChoices) -> list[str]:
    """The page's words for each key of the link that nothing drawn for this scene reads."""
    known = set(explorer.drawn_settings(choices))
    if choices.problem.build_surface().data is None:
        known.discard(explorer.BATCH.key)  # the minibatch slider is drawn on data surfaces only
    return [unknown_warning(key, raw) for key, raw in sorted(link.items()) if key not in known]


def is_lesson(choices: ExplorerChoices) -> bool:
    """Whether the scene is still its lesson: every setting the lesson owns has the lesson's value."""
    preset = explorer.PRESETS.get(choices.preset)
    if preset is None:
        return False
    values = choices.values()
    for key, value in preset.settings.items():
        if preset.owns(key):
            current = values.get(key)
            if (list(current or ()) != list(value)) if isinstance(value, list) else current != value:
                return False
    return True


def read_query(query: str) -> Scene:
    """The explorer scene of a link's query string. Raises `SceneError` with the page's warnings
    when any value cannot be used as given (the page would fall back to a default or clamp)."""
    pairs = parse_query(query)
    link = dict(pairs)  # a repeated key: the last value, as Streamlit's query_params
    values = _linked_lesson(link)
    warnings: list[str] = []
    _typed_text(values, warnings)
    choices = explorer.scene(values)
    warnings += choices.warnings
    try:
        choices.problem.build_surface()
    except ValueError as exc:  # the formula or the view box: the page shows the engine's words
        raise SceneError([*warnings, f"**This cannot be used:** {escape_markdown(exc)}"]) from None
    _start_in_view(choices, values, warnings)
    view = _view(values, choices, warnings)
    warnings += _unknown(link, choices)
    if warnings:
        raise SceneError(list(dict.fromkeys(warnings)))
    return Scene(choices, view, choices.preset if is_lesson(choices) else NO_PRESET, tuple(pairs))
