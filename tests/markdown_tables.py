"""Reading back the Markdown tables the pages draw (`ui.common.markdown_table`) in AppTest."""

from __future__ import annotations

import re

import pandas as pd

_ESCAPED = re.compile(r"\\(.)")
_CELL_BORDER = re.compile(r"(?<!\\)\|")  # a cell border: a pipe that is not escaped


def parse_markdown_table(text: str) -> pd.DataFrame:
    """The table in `text` (header, rule, rows) as text cells, escapes undone."""
    lines = [line.strip() for line in text.strip().splitlines()]
    header, _rule, *body = (
        [_ESCAPED.sub(r"\1", cell.strip()) for cell in _CELL_BORDER.split(line)[1:-1]] for line in lines
    )
    return pd.DataFrame(body, columns=header)


def summary_table(at) -> pd.DataFrame:
    """The explorer's summary table of the last run (the Markdown element whose header names the
    optimizer column)."""
    tables = [m.value for m in at.markdown if m.value.startswith("| optimizer |")]
    assert len(tables) == 1, f"expected one summary table, found {len(tables)}"
    return parse_markdown_table(tables[0])
