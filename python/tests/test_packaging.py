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


@pytest.mark.parametrize("machine, needed, versions, tag", [
    ("x86_64", ["libc.so.6", "libstdc++.so.6"], {"libc.so.6": {"GLIBC_2.2.5", "GLIBC_2.34"},
                                                  "libstdc++.so.6": {"GLIBCXX_3.4.29", "CXXABI_1.3.11"}},
     "manylinux_2_34_x86_64"),
    # libstdc++ from GCC 12 (GLIBCXX_3.4.30) lifts the same glibc to manylinux_2_35.
    ("x86_64", ["libc.so.6", "libstdc++.so.6"], {"libc.so.6": {"GLIBC_2.34"}, "libstdc++.so.6": {"GLIBCXX_3.4.30"}},
     "manylinux_2_35_x86_64"),
    ("x86_64", ["libc.so.6"], {"libc.so.6": {"GLIBC_2.17"}}, "manylinux_2_17_x86_64"),
    ("x86_64", ["libc.so.6"], {"libc.so.6": {"GLIBC_2.18"}}, "manylinux_2_24_x86_64"),
    ("aarch64", ["libc.so.6"], {"libc.so.6": {"GLIBC_2.34"}, "libgcc_s.so.1": {"GCC_11.0"}}, "manylinux_2_34_aarch64"),
    # A Swift runtime library, or a glibc newer than any policy, has no manylinux tag.
    ("x86_64", ["libc.so.6", "libswiftCore.so"], {"libc.so.6": {"GLIBC_2.17"}}, "linux_x86_64"),
    ("x86_64", ["libc.so.6"], {"libc.so.6": {"GLIBC_2.99"}}, "linux_x86_64"),
    ("riscv64", ["libc.so.6"], {"libc.so.6": {"GLIBC_2.34"}}, "linux_riscv64"),
])
def test_tag_is_the_oldest_policy_the_needs_meet(machine, needed, versions, tag):
    assert backend.tag_for(machine, needed, versions) == tag


def test_installed_wheel_tag_is_the_tag_its_library_meets():
    try:
        wheel = importlib.metadata.distribution("softsortkit").read_text("WHEEL")
    except importlib.metadata.PackageNotFoundError:
        pytest.skip("softsortkit is not installed from a wheel")
    tags = re.findall(r"^Tag: (\S+)$", wheel or "", flags=re.M)
    if not tags or not any("manylinux" in t or "linux" in t for t in tags):
        pytest.skip(f"not a platform wheel: {tags}")
    assert tags == [f"py3-none-{backend.platform_tag(_library.lib.path)}"]
