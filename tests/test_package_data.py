"""Every file the package needs at run time that is not Python (the console's templates,
styles, scripts and vendored library, the home page's template, data files, migrations'
template) is named by pyproject.toml's [tool.setuptools.package-data] globs: an editable
install reads them from the tree whatever the globs say, a wheel carries only what they
name."""

from __future__ import annotations

import glob
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "server" / "caveat"


def package_data_globs() -> list[str]:
    with (ROOT / "pyproject.toml").open("rb") as f:
        config = tomllib.load(f)
    globs: list[str] = config["tool"]["setuptools"]["package-data"]["caveat"]
    return globs


def unmatched(package: Path, files: list[str], globs: list[str]) -> list[str]:
    """The paths in ``files`` (relative to ``package``) that no glob names, the globs
    expanded as setuptools' build_py does (``glob(..., recursive=True)`` in the package's
    folder: ``static/*`` does not reach into ``static/vendor/``, nor name a dot file)."""
    named = {
        Path(found).resolve().relative_to(package.resolve()).as_posix()
        for pattern in globs
        for found in glob.glob(str(package / pattern), recursive=True)
        if Path(found).is_file()
    }
    return sorted(set(files) - named)


def data_files(*under: str, package: Path = PACKAGE) -> list[str]:
    """Files below ``under`` (package-relative folders), but Python sources and caches."""
    found = []
    for folder in under:
        for path in (package / folder).rglob("*"):
            if path.is_dir() or "__pycache__" in path.parts or path.suffix in (".py", ".pyc"):
                continue
            found.append(path.relative_to(package).as_posix())
    return found


def test_every_console_and_page_template_and_static_file_is_package_data() -> None:
    files = data_files("web/console/templates", "web/console/static", "web/templates")
    assert any(f.startswith("web/console/static/vendor/") for f in files)
    assert any(f.startswith("web/console/templates/console/") for f in files)
    assert "web/templates/home.html" in files
    assert unmatched(PACKAGE, files, package_data_globs()) == []


def test_every_other_non_python_file_of_the_package_is_package_data() -> None:
    files = data_files(".")
    assert unmatched(PACKAGE, files, package_data_globs()) == []


def test_a_file_no_glob_names_is_found(tmp_path: Path) -> None:
    static = tmp_path / "web" / "console" / "static"
    (static / "vendor").mkdir(parents=True)
    for name in ("console.css", "console-keys.js", "console.svg", ".hidden.css"):
        (static / name).write_text("x")
    (static / "vendor" / "chart.js").write_text("x")
    files = data_files("web/console/static", package=tmp_path)
    globs = ["web/console/static/*.css", "web/console/static/*.js"]
    assert unmatched(tmp_path, files, globs) == [
        "web/console/static/.hidden.css",
        "web/console/static/console.svg",
        "web/console/static/vendor/chart.js",
    ]
    # a recursive glob reaches into vendor/, still not a dot file (as in a wheel)
    assert unmatched(tmp_path, files, [*globs, "web/console/static/**/*"]) == [
        "web/console/static/.hidden.css"
    ]
