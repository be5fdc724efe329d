"""Imports run only downward: every module of gan_core/, ui/, pages/ and app.py is checked against the table
"Which layer may import which" in docs/architecture.md (imports at the top and inside functions alike)."""

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "architecture.md"


def allowed_table(text: str) -> dict[str, set[str]]:
    """{package: packages it may import} from the doc's table (the section "Which layer may import which")."""
    section = text.split("## Which layer may import which", 1)[1].split("\n## ", 1)[0]
    table = {}
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 2 and re.fullmatch(r"`\w+`", cells[0]):
            table[cells[0].strip("`")] = set(re.findall(r"`(\w+)`", cells[1]))
    return table


def package_of(path: Path, root: Path) -> str:
    """The layer a file belongs to: a gan_core package, `commands`, `ui` or `pages`."""
    parts = path.relative_to(root).parts
    if parts[0] != "gan_core":
        return "pages" if parts[0] in ("pages", "app.py") else parts[0]
    if len(parts) == 2:
        return "gan_core" if parts[1] == "__init__.py" else "commands"
    if parts[-1] == "__main__.py" and parts[1] != "bench":
        return "commands"
    return parts[1]


def target_of(module: str, root: Path) -> str | None:
    """The layer an imported module belongs to (None: not ours)."""
    parts = module.split(".")
    if parts[0] in ("ui", "pages"):
        return parts[0]
    if parts[0] != "gan_core":
        return None
    if len(parts) == 1:
        return "gan_core"
    if (root / "gan_core" / parts[1]).is_dir():
        return "commands" if parts[-1] == "__main__" and parts[1] != "bench" else parts[1]
    if (root / "gan_core" / f"{parts[1]}.py").is_file():
        return "commands"
    return "gan_core"  # a name of gan_core/__init__.py, e.g. __version__


def imports_of(path: Path, root: Path) -> list[str]:
    """Every module `path` imports, anywhere in it; `from gan_core import models` counts as gan_core.models."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: resolved against the file's package
                package = list(path.relative_to(root).with_suffix("").parts[:-1])
                package = package[: len(package) - (node.level - 1)]
                base = ".".join(package + ([base] if base else []))
            # `from gan_core import models` imports gan_core.models; `from x.y import name`, x.y
            found += [f"{base}.{alias.name}" for alias in node.names] if base == "gan_core" else [base]
    return found


def violations(root: Path, table: dict[str, set[str]]) -> list[str]:
    files = sorted([*root.glob("gan_core/**/*.py"), *root.glob("ui/**/*.py"), *root.glob("pages/**/*.py"),
                    root / "app.py"])
    problems = []
    for path in files:
        layer = package_of(path, root)
        rel = path.relative_to(root)
        if layer not in table and layer != "gan_core":
            problems.append(f"{rel}: its package {layer!r} has no row in docs/architecture.md's import table")
            continue
        may = table.get(layer, set()) | {layer, "gan_core"}
        for module in imports_of(path, root):
            if layer != "pages" and layer != "ui" and module.split(".")[0] == "streamlit":
                problems.append(f"{rel} imports streamlit (gan_core never does)")
            target = target_of(module, root)
            if target is not None and target not in may:
                allowed = ", ".join(sorted(table.get(layer, set()))) or "nothing else of gan_core"
                problems.append(f"{rel} imports {module} ({layer} may import only {allowed})")
    return sorted(set(problems))


def test_the_table_names_every_package_and_points_only_downward():
    table = allowed_table(DOC.read_text())
    packages = {p.name for p in (ROOT / "gan_core").iterdir() if (p / "__init__.py").is_file()}
    assert packages <= set(table), f"packages without a row: {sorted(packages - set(table))}"
    for layer, may in table.items():  # no cycles: nothing a layer may import may import that layer back
        assert may <= set(table), f"{layer}: unknown {sorted(may - set(table))}"
        for lower in may:
            assert layer not in table[lower], f"{layer} and {lower} may import each other"
            assert table[lower] <= may, f"{layer} may import {lower} but not all that {lower} stands on"


def test_no_import_runs_upward():
    problems = violations(ROOT, allowed_table(DOC.read_text()))
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("planted, message", [
    ("from gan_core.training.jobs import stop\n", "imports gan_core.training.jobs (datasets may import only core)"),
    ("def later():\n    from gan_core import metrics\n", "imports gan_core.metrics (datasets may import only core)"),
    ("def later():\n    import gan_core.bench.engine\n", "imports gan_core.bench.engine (datasets may import"),
    ("def later():\n    import streamlit\n", "imports streamlit"),
])
def test_a_planted_upward_import_is_caught(tmp_path, planted, message):
    """The checker itself, on a copy of the tree with one upward import planted in the data store."""
    for name in ("gan_core", "ui", "pages"):
        for path in (ROOT / name).rglob("*.py"):
            copy = tmp_path / path.relative_to(ROOT)
            copy.parent.mkdir(parents=True, exist_ok=True)
            copy.write_text(path.read_text())
    (tmp_path / "app.py").write_text((ROOT / "app.py").read_text())
    store = tmp_path / "gan_core" / "datasets" / "store.py"
    store.write_text(store.read_text() + "\n\n" + planted)
    problems = violations(tmp_path, allowed_table(DOC.read_text()))
    assert len(problems) == 1 and problems[0].startswith("gan_core/datasets/store.py") and message in problems[0], \
        problems
