"""Write the generated part of docs/run-directory.md (every file kind's fields) from gan_core/core/schemas.py.

    python scripts/schema_docs.py          # rewrite the section between the markers
    python scripts/schema_docs.py --check  # exit 1 if the doc and the schemas disagree (tests run this check)
"""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from gan_core.core.schemas import schema_table  # noqa: E402  (after the path above)

DOC = ROOT / "docs" / "run-directory.md"
START, END = "<!-- schema:start -->", "<!-- schema:end -->"


def with_table(text: str) -> str:
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    return f"{head}{START}\n{schema_table()}{END}{tail}"


def main() -> int:
    text = DOC.read_text()
    wanted = with_table(text)
    if "--check" in sys.argv[1:]:
        if wanted != text:
            print(f"error: {DOC.relative_to(ROOT)} disagrees with gan_core/core/schemas.py; "
                  "run: python scripts/schema_docs.py", file=sys.stderr)
            return 1
        return 0
    DOC.write_text(wanted)
    return 0


if __name__ == "__main__":
    sys.exit(main())
