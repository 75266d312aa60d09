"""`python -m export "<the explorer's query string>" -o race.html`: one scene as an offline HTML file.

Exit status 0 with the file written; 2 with the page's messages on stderr and no file written
when the link holds a value the page would not use as given (or an argument is wrong).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from export import DEFAULT_APP_URL, SceneError, build_html
from export.scene import plain
from figures.plotly_assets import write_atomically


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m export", description="Export an explorer scene as one self-contained HTML file."
    )
    parser.add_argument("query", help="the explorer's query string (what its URL holds after ?), or the link")
    parser.add_argument("-o", "--output", required=True, type=Path, help="the HTML file to write")
    parser.add_argument(
        "--app-url",
        default=os.environ.get("PLAYGROUND_APP_URL", DEFAULT_APP_URL),
        help="the live app's address, for the link back to the scene (default: %(default)s)",
    )
    args = parser.parse_args(argv)
    try:
        page = build_html(args.query, app_url=args.app_url)
    except SceneError as err:
        for message in err.messages:
            print(plain(message), file=sys.stderr)
        return 2
    write_atomically(args.output, page.encode("utf-8"))  # all or nothing: never half a file
    print(f"wrote {args.output} ({len(page.encode('utf-8')) / 1e6:.2f} MB)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
