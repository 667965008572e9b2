"""The distribution: the build backend's metadata equals pyproject.toml's, its
Package.swift subset has the root manifest's targets and no package
dependency, the sdist carries the Swift sources, and the installed library's
platform tag and SONAME are what the wheel and the header say."""
import importlib.metadata
import pathlib
import re
import sys
import tarfile

import pytest

import softsortkit
from conftest import REPOSITORY
from softsortkit import _constants, _library

sys.path.insert(0, str(REPOSITORY / "python" / "build_backend"))
import softsortkit_build as backend  # noqa: E402

tomllib = pytest.importorskip("tomllib")  # Python 3.11 and later


def _metadata_fields():
    header = backend._metadata().split("\n\n", 1)[0]
    fields = {}
    for line in header.splitlines():
        key, _, value = line.partition(": ")
        fields.setdefault(key, []).append(value)
    return fields


def test_backend_metadata_equals_pyproject():
    project = tomllib.loads((REPOSITORY / "python" / "pyproject.toml").read_text())["project"]
    fields = _metadata_fields()
    assert fields["Name"] == [project["name"]]
    assert fields["Summary"] == [project["description"]]
    assert fields["Requires-Python"] == [project["requires-python"]]
    assert fields["License"] == [project["license"]["text"]]
    assert fields["Author"] == [project["authors"][0]["name"]]
    assert fields["Classifier"] == project["classifiers"]
    assert fields["Keywords"] == [",".join(project["keywords"])]
    assert sorted(fields["Project-URL"]) == sorted(f"{k}, {v}" for k, v in project["urls"].items())
    assert [r for r in fields["Requires-Dist"] if "extra" not in r] == project["dependencies"]
    assert fields["Description-Content-Type"] == ["text/markdown"]
    assert backend._metadata().split("\n\n", 1)[1] == (REPOSITORY / "python" / "README.md").read_text()
    assert fields["Version"] == [softsortkit.__version__]


def _targets(manifest):
    """name -> sorted dependencies of every .target(...) of a Package.swift."""
    targets = {}
    for match in re.finditer(r'\.target\(\s*name:\s*"(\w+)"(.*?)\)\s*,?\s*\n', manifest, flags=re.S):
        targets[match.group(1)] = sorted(re.findall(r'"(\w+)"', match.group(2).split("path:")[0]))
    return targets


def test_manifest_subset_has_the_root_targets_it_builds():
    root = _targets((REPOSITORY / "Package.swift").read_text())
    subset = _targets(backend.MANIFEST)
    assert set(subset) == {"SoftSortKit", "SoftSortKitCABI", "CSimd"}
    for name, dependencies in subset.items():
        assert root[name] == dependencies, name
    assert ".package(" not in backend.MANIFEST
    # No target of the subset takes settings the root manifest's does not (or the reverse).
    for name in subset:
        block = re.search(rf'\.target\(\s*name:\s*"{name}".*?\)\s*,?\s*\n', (REPOSITORY / "Package.swift").read_text(),
                          flags=re.S).group(0)
        assert "Settings" not in block, f"{name} has settings in Package.swift: copy them to MANIFEST"


def test_sdist_carries_the_swift_sources(tmp_path):
    name = backend.build_sdist(str(tmp_path))
    with tarfile.open(tmp_path / name) as archive:
        names = set(archive.getnames())
    base = name[: -len(".tar.gz")]
    for required in ("pyproject.toml", "README.md", "LICENSE", "PKG-INFO", "build_backend/softsortkit_build.py",
                     "softsortkit/__init__.py", "softsortkit/py.typed", "swift/Package.swift",
                     "swift/include/softsortkit.h", "swift/CSimd/include/CSimd.h",
                     "swift/Sources/SoftSortKitCABI/SettingsExports.swift",
                     "swift/Sources/SoftSortKit/API/SoftSort.swift"):
        assert f"{base}/{required}" in names, required
    swift_files = {p.relative_to(REPOSITORY).as_posix() for part in backend.SWIFT_PARTS
                   for p in (REPOSITORY / part).rglob("*") if p.is_file() and not p.name.startswith(".")}
    assert {f"{base}/swift/{f}" for f in swift_files} <= names
    assert not any("simd-bench" in n or "/Tests/" in n or n.endswith(".so") for n in names)


def test_installed_library_has_the_soname_of_the_abi_version():
    data = pathlib.Path(_library.lib.path).read_bytes()
    assert f"libsoftsortkit.so.{_constants.ABI_VERSION}\0".encode() in data


def test_elf_reader_finds_the_library_needs():
    needed, versions = backend.elf_needs(_library.lib.path)
    assert "libc.so.6" in needed
    assert not any("swift" in name.lower() or "dispatch" in name.lower() for name in needed), needed
    assert any(v.startswith("GLIBC_2.") for v in versions["libc.so.6"])


def test_installed_wheel_tag_is_the_tag_its_library_meets():
    try:
        wheel = importlib.metadata.distribution("softsortkit").read_text("WHEEL")
    except importlib.metadata.PackageNotFoundError:
        pytest.skip("softsortkit is not installed from a wheel")
    tags = re.findall(r"^Tag: (\S+)$", wheel or "", flags=re.M)
    if not tags or not any("manylinux" in t or "linux" in t for t in tags):
        pytest.skip(f"not a platform wheel: {tags}")
    assert tags == [f"py3-none-{backend.platform_tag(_library.lib.path)}"]
