"""How the map's browser modules (`ui/*.js`) import each other: which files make up a module, and
a module's copy whose imports ask for a version. Pure file reading, no Streamlit: the app's static
copies (`ui.map_component`) and the exported race file (`export.page`) both build on it."""

from __future__ import annotations

import re
from pathlib import Path

# A static import (or re-export) of a module beside the importing one: `from "./map_base.js"`.
SIBLING_IMPORT = re.compile(r'(\bfrom "\./)([A-Za-z0-9_]+\.js)(")')


def module_files(module: Path) -> list[Path]:
    """`module` and every module beside it that it imports statically, directly or through another
    (`SIBLING_IMPORT`), each once, `module` first."""
    found = [module]
    for path in found:
        for match in SIBLING_IMPORT.finditer(path.read_text(encoding="utf-8")):
            sibling = path.parent / match.group(2)
            if sibling not in found:
                found.append(sibling)
    return found


def versioned(source: str, version: str) -> str:
    """A module's static copy: its imports of modules beside it ask for them at `version`."""
    return SIBLING_IMPORT.sub(lambda m: f"{m.group(1)}{m.group(2)}?v={version}{m.group(3)}", source)
