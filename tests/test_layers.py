"""The layers hold: every import in the package (inside functions and TYPE_CHECKING too) is read
from the source and checked against the rules of ARCHITECTURE.md's "Layers" section."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

import avatar_desktop

QT = frozenset({"PySide6", "shiboken6"})
QT_LAYERS = frozenset({"ui", "app"})  # the only layers that may import Qt
# A layer listed here may import only these layers of the package (its own included).
ONLY = {
    "core": frozenset({"core"}),
    "providers": frozenset({"core", "providers"}),
}
# A layer listed here must not import these layers.
NEVER = {
    "avatar": frozenset({"providers", "app", "ui"}),
    "storage": frozenset({"app", "ui"}),
    "audio": frozenset({"app", "ui"}),
    "pipeline": frozenset({"app", "ui"}),
    "ui": frozenset({"app"}),
}
ROOT = "(package root)"  # avatar_desktop/__init__.py, its constants, and top-level modules


def modules(folder: Path, package: str) -> Iterator[tuple[str, Path]]:
    """Every module under ``folder`` with its dotted name (a package by its __init__)."""
    for path in sorted(folder.rglob("*.py")):
        parts = [package, *path.relative_to(folder).with_suffix("").parts]
        if parts[-1] == "__init__":
            parts.pop()
        yield ".".join(parts), path


def imported(tree: ast.AST, module: str, is_package: bool) -> Iterator[tuple[int, list[str]]]:
    """Per import anywhere in ``tree``: its line and the dotted names it may load (resolved)."""
    here = module.split(".") if is_package else module.split(".")[:-1]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, [alias.name]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = here[: len(here) - node.level + 1]
                base = ".".join([*anchor, *([base] if base else [])])
            # `from pkg import layer` loads a layer by name, so each name counts too
            yield node.lineno, [base, *(f"{base}.{alias.name}" for alias in node.names)]


def layer_of(name: str, package: str, layers: frozenset[str]) -> str | None:
    """The package layer ``name`` belongs to; None for a module outside the package."""
    parts = name.split(".")
    if parts[0] != package:
        return None
    return parts[1] if len(parts) > 1 and parts[1] in layers else ROOT


def broken_rule(source: str, target: str, target_layer: str | None) -> str | None:
    """Why ``source`` importing ``target`` breaks the layers, or None when it may."""
    if target.split(".")[0] in QT and source not in QT_LAYERS:
        return "Qt only in ui/ and app/"
    if target_layer is None or target_layer == source:
        return None
    if source in ONLY and target_layer not in ONLY[source]:
        allowed = " and ".join(f"{name}/" for name in sorted(ONLY[source]))
        return f"{source}/ imports only {allowed}"
    if target_layer in NEVER.get(source, ()):
        return f"{source}/ must not import {target_layer}/"
    return None


def violations(folder: Path, package: str) -> list[str]:
    """Each import under ``folder`` that breaks a layer rule, as 'file:line: what (why)'."""
    layers = frozenset(
        p.stem if p.is_file() else p.name
        for p in folder.iterdir()
        if (p.is_dir() and (p / "__init__.py").exists()) or (p.suffix == ".py")
    ) - {"__init__"}
    found: set[str] = set()
    for module, path in modules(folder, package):
        source = layer_of(module, package, layers) or ROOT
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        for line, targets in imported(tree, module, path.name == "__init__.py"):
            for target in targets:
                why = broken_rule(source, target, layer_of(target, package, layers))
                if why:
                    where = path.relative_to(folder.parent).as_posix()
                    found.add(f"{where}:{line}: imports {targets[0]} ({why})")
                    break
    return sorted(found)


def test_the_package_keeps_its_layers() -> None:
    folder = Path(avatar_desktop.__file__).parent
    found = violations(folder, "avatar_desktop")
    assert not found, "imports that break the layers:\n" + "\n".join(found)


# --- the checker itself, on a small package written for each rule ----------------------------

BAD_IMPORTS = {
    "qt_in_core": ("core/a.py", "from PySide6.QtCore import QObject\n", "Qt only"),
    "shiboken_in_storage": ("storage/a.py", "import shiboken6\n", "Qt only"),
    "qt_in_avatar_in_a_function": (
        "avatar/a.py",
        "def f():\n    from PySide6 import QtGui\n",
        "Qt only",
    ),
    "qt_in_providers_under_type_checking": (
        "providers/a.py",
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import PySide6.QtWidgets\n",
        "Qt only",
    ),
    "core_imports_storage": ("core/a.py", "from pkg.storage import b\n", "core/ imports only"),
    "core_imports_the_root": ("core/a.py", "from pkg import NAME\n", "core/ imports only"),
    "core_imports_a_layer_by_name": ("core/a.py", "from pkg import avatar\n", "core/ imports"),
    "core_imports_relatively": ("core/a.py", "from ..audio import b\n", "core/ imports only"),
    "providers_import_storage": (
        "providers/x/a.py",
        "from pkg.storage.b import c\n",
        "providers/ imports only",
    ),
    "providers_import_audio_late": (
        "providers/a.py",
        "def f():\n    import pkg.audio.b\n",
        "providers/ imports only",
    ),
    "avatar_imports_providers": (
        "avatar/a.py",
        "from pkg.providers.b import c\n",
        "must not import providers/",
    ),
    "storage_imports_ui": ("storage/a.py", "from pkg.ui import b\n", "must not import ui/"),
    "audio_imports_app": ("audio/a.py", "import pkg.app.b\n", "must not import app/"),
    "ui_imports_app": ("ui/x/a.py", "from ...app.b import c\n", "must not import app/"),
}


def write_package(root: Path, files: dict[str, str]) -> Path:
    """A package ``pkg`` under ``root`` with every layer, plus ``files`` (path: source)."""
    folder = root / "pkg"
    for layer in ("core", "providers/x", "avatar", "storage", "audio", "ui/x", "app"):
        for sub in (layer, layer.split("/")[0]):
            (folder / sub).mkdir(parents=True, exist_ok=True)
            (folder / sub / "__init__.py").write_text("")
    (folder / "__init__.py").write_text('NAME = "pkg"\n')
    for name, source in files.items():
        (folder / name).write_text(source)
    return folder


@pytest.mark.parametrize("case", sorted(BAD_IMPORTS))
def test_the_checker_finds_each_kind_of_bad_import(tmp_path: Path, case: str) -> None:
    name, source, why = BAD_IMPORTS[case]
    folder = write_package(tmp_path, {name: source})
    found = violations(folder, "pkg")
    assert len(found) == 1 and found[0].startswith(f"pkg/{name}:"), found
    assert why in found[0]


def test_the_checker_lets_good_imports_through(tmp_path: Path) -> None:
    folder = write_package(
        tmp_path,
        {
            "core/a.py": "import json\nfrom pkg.core import b\nfrom . import c\n",
            "providers/a.py": "from pkg.core.a import x\nfrom pkg.providers import x\n",
            "avatar/a.py": "from pkg.core.a import x\nfrom pkg.avatar import b\n",
            "storage/a.py": "from pkg import NAME\nfrom pkg.core import a\n",
            "audio/a.py": "from pkg.core import a\nimport numpy\n",
            "ui/a.py": "from PySide6.QtWidgets import QWidget\nfrom pkg.avatar import a\n",
            "app/a.py": "from PySide6.QtCore import QObject\nfrom pkg.ui import a\n",
        },
    )
    assert violations(folder, "pkg") == []
