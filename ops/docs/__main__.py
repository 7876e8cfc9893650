"""``python -m ops.docs [--check] [--out DIR]``: write the generated documents, or check them.

Without ``--check`` it writes every document under ``docs/`` (or ``--out``) and
removes stale ones; with ``--check`` it writes nothing and exits 1 when a
committed document differs from the code.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ops.docs.tree import differences, write_documents

DEFAULT_ROOT = Path(__file__).resolve().parents[2] / "docs"


def main(argv: list[str] | None = None) -> int:
    """Run the command; return its exit status."""
    parser = argparse.ArgumentParser(prog="python -m ops.docs", description=__doc__)
    parser.add_argument("--out", type=Path, default=DEFAULT_ROOT, help="the docs folder")
    parser.add_argument(
        "--check", action="store_true", help="write nothing; exit 1 if a document differs"
    )
    arguments = parser.parse_args(argv)
    root: Path = arguments.out
    if arguments.check:
        problems = differences(root)
        for problem in problems:
            print(f"docs/{problem}", file=sys.stderr)
        if problems:
            print("the documents differ from the code: run `make docs`", file=sys.stderr)
        return 1 if problems else 0
    changed = write_documents(root)
    if changed:
        print("updated:")
    for change in changed:
        print(f"  {root.name}/{change}")
    print(f"{root}: {'up to date' if not changed else f'{len(changed)} file(s) updated'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
