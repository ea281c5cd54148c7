"""Architecture rules that keep the code simple and cheap to import."""

import ast
import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1] / "cornu"
BACKEND_ONLY = {"torch", "jax", "jaxlib", "tensorflow"}


def _imported_modules(path: pathlib.Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_only_the_backend_imports_torch():
    offenders = []
    for path in ROOT.rglob("*.py"):
        if (ROOT / "backend") in path.parents:
            continue
        bad = _imported_modules(path) & BACKEND_ONLY
        if bad:
            offenders.append(f"{path.relative_to(ROOT.parent)} imports {sorted(bad)}")
    assert not offenders, "\n".join(offenders)


def test_import_cornu_does_not_import_heavy_optional_packages():
    code = ("import sys, cornu; "
            "print(','.join(m for m in ('jax', 'tensorflow', 'sklearn', 'pandas') "
            "if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == ""
