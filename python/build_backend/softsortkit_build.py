"""A PEP 517 build backend for softsortkit that needs nothing but the
standard library and a Swift toolchain: no network, no setuptools, and no
write into the source tree.

Every build stages the Swift sources the C ABI needs (SWIFT_PARTS) with a
Package.swift of its own (MANIFEST: the SoftSortKit, CSimd and
SoftSortKitCABI targets, no dependencies, so SwiftPM resolves nothing) in a
build folder, then runs

    swift build -c release -Xswiftc -static-stdlib -Xlinker -S -Xlinker -soname=libsoftsortkit.so.<ABI> \
        --product softsortkit --package-path <build>/package --scratch-path <build>/scratch

libsoftsortkit.so carries the Swift runtime (-static-stdlib) and needs only
glibc, libstdc++ and libgcc_s; the wheel's platform tag is the manylinux tag
those needs meet, read from the library's ELF symbol versions (MANYLINUX).

The Swift sources come from the sdist's swift/ folder, or in a clone from the
repository this python/ folder belongs to. The sdist carries them, so it
builds on a machine with a Swift toolchain and nothing else.

Environment variables:

- SOFTSORTKIT_SOURCE_DIR: the folder with Sources/SoftSortKit, CSimd, ...
  when this folder was copied away from its repository.
- SOFTSORTKIT_BUILD_DIR: a build folder kept between builds (incremental);
  default: a temporary folder, removed after the build.
- SOFTSORTKIT_LIBRARY: an already built libsoftsortkit.so to bundle instead
  of building one.
- SWIFT: the swift executable (default: swift on PATH).

C users: `python3 softsortkit_build.py --prefix DIR` builds the same library
and installs DIR/lib/libsoftsortkit.so.<ABI> (its SONAME) with the link
libsoftsortkit.so, DIR/include/softsortkit.h and
DIR/lib/pkgconfig/softsortkit.pc.
"""
import base64
import contextlib
import hashlib
import io
import os
import pathlib
import platform
import re
import shutil
import struct
import subprocess
import sys
import tarfile
import tempfile
import zipfile

NAME = "softsortkit"
HERE = pathlib.Path(__file__).resolve().parent.parent  # python/ in a clone, the sdist's root otherwise
SWIFT_PARTS = ["Sources/SoftSortKit", "Sources/SoftSortKitCABI", "CSimd", "include"]
URL = "https://github.com/OWNER/SoftSortKit"

# The root Package.swift less what the C ABI does not need (simd-bench and its
# swift-argument-parser, the docc plugin, the differentiable target, tests).
# Keep the three targets' settings equal to the root manifest's.
MANIFEST = """\
// swift-tools-version: 6.1
// The C ABI's part of SoftSortKit, as the Python package's build stages it.
import PackageDescription

let package = Package(
    name: "SoftSortKit",
    products: [
        .library(name: "softsortkit", type: .dynamic, targets: ["SoftSortKitCABI"]),
    ],
    targets: [
        .target(name: "SoftSortKit", dependencies: ["CSimd"]),
        .target(name: "SoftSortKitCABI", dependencies: ["SoftSortKit"]),
        .target(name: "CSimd", path: "CSimd"),
    ],
    swiftLanguageModes: [.v6]
)
"""

CLASSIFIERS = [
    "Development Status :: 4 - Beta",
    "Intended Audience :: Science/Research",
    "Intended Audience :: Developers",
    "License :: OSI Approved :: MIT License",
    "Operating System :: POSIX :: Linux",
    "Programming Language :: Python :: 3",
    "Programming Language :: Python :: 3 :: Only",
    "Programming Language :: C",
    "Programming Language :: Swift",
    "Topic :: Scientific/Engineering :: Artificial Intelligence",
    "Typing :: Typed",
]

# Per machine: manylinux_2_<glibc minor> -> the largest GLIBCXX, CXXABI and
# GCC symbol versions it allows (auditwheel 6.8's manylinux-policy.json).
MANYLINUX = {
    "x86_64": {
        17: ("3.4.19", "1.3.7", "4.8.0"),
        24: ("3.4.22", "1.3.10", "4.8.0"),
        26: ("3.4.22", "1.3.10", "4.8.0"),
        27: ("3.4.24", "1.3.11", "7.0.0"),
        28: ("3.4.24", "1.3.11", "7.0.0"),
        31: ("3.4.28", "1.3.12", "7.0.0"),
        34: ("3.4.29", "1.3.13", "7.0.0"),
        35: ("3.4.30", "1.3.13", "12.0.0"),
        36: ("3.4.30", "1.3.13", "12.0.0"),
        38: ("3.4.30", "1.3.13", "12.0.0"),
        39: ("3.4.33", "1.3.15", "14.0.0"),
        40: ("3.4.33", "1.3.15", "14.0.0"),
        41: ("3.4.33", "1.3.15", "14.0.0"),
    },
    "aarch64": {
        17: ("3.4.19", "1.3.7", "4.7.0"),
        24: ("3.4.22", "1.3.10", "4.7.0"),
        26: ("3.4.24", "1.3.11", "7.0.0"),
        27: ("3.4.24", "1.3.11", "7.0.0"),
        28: ("3.4.24", "1.3.11", "7.0.0"),
        31: ("3.4.28", "1.3.12", "7.0.0"),
        34: ("3.4.29", "1.3.13", "11.0"),
        35: ("3.4.30", "1.3.13", "11.0"),
        36: ("3.4.30", "1.3.13", "11.0"),
        38: ("3.4.30", "1.3.13", "11.0"),
        39: ("3.4.33", "1.3.15", "14.0.0"),
        40: ("3.4.33", "1.3.15", "14.0.0"),
        41: ("3.4.33", "1.3.15", "14.0.0"),
    },
}
# The libraries a manylinux wheel may need from the system (the part of
# auditwheel's list a C or Swift library can need).
SYSTEM_LIBRARIES = {"libc.so.6", "libm.so.6", "libmvec.so.1", "libdl.so.2", "librt.so.1", "libpthread.so.0",
                    "libutil.so.1", "libresolv.so.2", "libstdc++.so.6", "libgcc_s.so.1", "libatomic.so.1",
                    "ld-linux-x86-64.so.2", "ld-linux-aarch64.so.1"}


def _version():
    text = (HERE / NAME / "_version.py").read_text()
    return re.search(r'__version__ = "([^"]+)"', text).group(1)


def _abi_version():
    text = (HERE / NAME / "_constants.py").read_text()
    return int(re.search(r"^ABI_VERSION = (\d+)", text, flags=re.M).group(1))


def _long_description():
    readme = HERE / "README.md"
    return readme.read_text() if readme.is_file() else ""


def _metadata():
    lines = [
        "Metadata-Version: 2.1",
        f"Name: {NAME}",
        f"Version: {_version()}",
        "Summary: SoftSort and NeuralSort (differentiable sorting and ranking) on the CPU, "
        "for NumPy and PyTorch",
        "Author: The SoftSortKit authors",
        "License: MIT",
        f"Home-page: {URL}",
        f"Project-URL: Source, {URL}",
        f"Project-URL: Documentation, {URL}/tree/main/python#readme",
        f"Project-URL: Issues, {URL}/issues",
        "Keywords: softsort,neuralsort,differentiable sorting,ranking,pytorch,numpy",
        *(f"Classifier: {classifier}" for classifier in CLASSIFIERS),
        "Requires-Python: >=3.9",
        "Requires-Dist: numpy",
        "Provides-Extra: torch",
        'Requires-Dist: torch; extra == "torch"',
        "Provides-Extra: test",
        'Requires-Dist: pytest; extra == "test"',
        'Requires-Dist: torch; extra == "test"',
        "Description-Content-Type: text/markdown",
    ]
    return "\n".join(lines) + "\n\n" + _long_description()


# ---- Sources and staging ------------------------------------------------------

def _has_sources(folder):
    return all((folder / part).is_dir() for part in SWIFT_PARTS)


def _sources():
    """The folder holding SWIFT_PARTS: SOFTSORTKIT_SOURCE_DIR, the sdist's swift/, or the repository."""
    candidates = []
    if os.environ.get("SOFTSORTKIT_SOURCE_DIR"):
        candidates.append(pathlib.Path(os.environ["SOFTSORTKIT_SOURCE_DIR"]))
    candidates += [HERE / "swift", HERE.parent]
    for candidate in candidates:
        if _has_sources(candidate):
            return candidate.resolve()
    raise RuntimeError(
        f"softsortkit: no Swift sources ({', '.join(SWIFT_PARTS)}) at {', '.join(str(c) for c in candidates)}; "
        "build from a clone or from the sdist, or set SOFTSORTKIT_SOURCE_DIR to the repository")


def _source_files(sources):
    """relative path -> file of every file of SWIFT_PARTS."""
    files = {}
    for part in SWIFT_PARTS:
        for path in sorted((sources / part).rglob("*")):
            relative = path.relative_to(sources)
            if path.is_file() and "__pycache__" not in relative.parts and not path.name.startswith("."):
                files[relative.as_posix()] = path
    return files


def _write_if_changed(target, data):
    """Writes data to target unless it holds it already (so SwiftPM rebuilds only what changed)."""
    if target.is_file() and target.read_bytes() == data:
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)


def _stage(package):
    """Makes `package` the C ABI's Swift package: MANIFEST and SWIFT_PARTS, nothing else."""
    files = _source_files(_sources())
    wanted = {"Package.swift"} | set(files)
    if package.is_dir():
        for path in sorted(package.rglob("*"), reverse=True):
            relative = path.relative_to(package).as_posix()
            if path.is_file() and relative not in wanted:
                path.unlink()
            elif path.is_dir() and not any(path.iterdir()):
                path.rmdir()
    _write_if_changed(package / "Package.swift", MANIFEST.encode())
    for relative, source in files.items():
        _write_if_changed(package / relative, source.read_bytes())


@contextlib.contextmanager
def _build_folder():
    if os.environ.get("SOFTSORTKIT_BUILD_DIR"):
        folder = pathlib.Path(os.environ["SOFTSORTKIT_BUILD_DIR"]).resolve()
        folder.mkdir(parents=True, exist_ok=True)
        yield folder
    else:
        with tempfile.TemporaryDirectory(prefix="softsortkit-build-") as folder:
            yield pathlib.Path(folder)


def _build(folder):
    """Stages the package in `folder`, builds libsoftsortkit.so there and returns its path."""
    swift = os.environ.get("SWIFT") or shutil.which("swift")
    if not swift:
        raise RuntimeError("softsortkit: the Swift toolchain (swift) is not on PATH; it is needed to build the library")
    package = folder / "package"
    _stage(package)
    # -S: no debug sections in the library (a third of its size); its symbols stay.
    command = [swift, "build", "-c", "release", "-Xswiftc", "-static-stdlib", "-Xlinker", "-S",
               "-Xlinker", f"-soname=libsoftsortkit.so.{_abi_version()}", "--product", NAME,
               "--package-path", str(package), "--scratch-path", str(folder / "scratch")]
    print("softsortkit: " + " ".join(command), file=sys.stderr, flush=True)
    subprocess.run(command, check=True, stdout=sys.stderr)
    binary = subprocess.run(command + ["--show-bin-path"], check=True, capture_output=True, text=True).stdout
    path = pathlib.Path(binary.strip()) / "libsoftsortkit.so"
    if not path.is_file():
        raise RuntimeError(f"softsortkit: swift build finished but {path} is missing")
    return path


@contextlib.contextmanager
def _library():
    """The libsoftsortkit.so to ship: SOFTSORTKIT_LIBRARY, or a fresh build (valid inside the block)."""
    if os.environ.get("SOFTSORTKIT_LIBRARY"):
        path = pathlib.Path(os.environ["SOFTSORTKIT_LIBRARY"])
        if not path.is_file():
            raise RuntimeError(f"softsortkit: SOFTSORTKIT_LIBRARY={path} is not a file")
        yield path
        return
    with _build_folder() as folder:
        yield _build(folder)


# ---- The platform tag ---------------------------------------------------------

def _version_key(text):
    return tuple(int(part) for part in re.findall(r"\d+", text))


def elf_needs(path):
    """(needed libraries, {library: {symbol versions}}) of an ELF64 little-endian shared object."""
    data = pathlib.Path(path).read_bytes()
    if data[:4] != b"\x7fELF" or data[4] != 2 or data[5] != 1:
        raise RuntimeError(f"softsortkit: {path} is not a 64-bit little-endian ELF file")
    section_offset, = struct.unpack_from("<Q", data, 0x28)
    entry_size, count = struct.unpack_from("<HH", data, 0x3A)
    sections = [struct.unpack_from("<IIQQQQIIQQ", data, section_offset + i * entry_size) for i in range(count)]

    def string(table, offset):
        start = sections[table][4] + offset
        return data[start:data.index(b"\0", start)].decode()

    needed, versions = [], {}
    for _, kind, _, _, offset, size, link, info, _, _ in sections:
        if kind == 6:  # SHT_DYNAMIC: DT_NEEDED entries
            for at in range(offset, offset + size, 16):
                tag, value = struct.unpack_from("<qQ", data, at)
                if tag == 1:
                    needed.append(string(link, value))
        elif kind == 0x6FFFFFFE:  # SHT_GNU_verneed
            at = offset
            for _ in range(info):
                _, auxiliaries, file, aux, following = struct.unpack_from("<HHIII", data, at)
                names = versions.setdefault(string(link, file), set())
                entry = at + aux
                for _ in range(auxiliaries):
                    _, _, _, name, step = struct.unpack_from("<IHHII", data, entry)
                    names.add(string(link, name))
                    entry += step
                at += following
    return needed, versions


def platform_tag(path):
    """The oldest manylinux tag whose glibc, libstdc++ and libgcc symbol versions and system
    libraries `path` stays within; `linux_<arch>` (which indexes refuse) when none fits."""
    machine = {"amd64": "x86_64", "arm64": "aarch64"}.get(platform.machine().lower(), platform.machine())
    needed, versions = elf_needs(path)
    tag = tag_for(machine, needed, versions)
    if tag.startswith("linux_"):
        print(f"softsortkit: {path} needs {sorted(needed)} {versions}: no manylinux tag fits; tagging {tag}",
              file=sys.stderr)
    return tag


def tag_for(machine, needed, versions):
    """The platform tag of a library on `machine` that needs the libraries `needed` and, from
    each, the symbol versions `versions` ({library: {"GLIBC_2.34", ...}})."""
    largest = {}
    for names in versions.values():
        for name in names:
            family, _, number = name.partition("_")
            if number and family in ("GLIBC", "GLIBCXX", "CXXABI", "GCC"):
                largest[family] = max(largest.get(family, "0"), number, key=_version_key)
    glibc = _version_key(largest.get("GLIBC", "2.17"))
    if set(needed) <= SYSTEM_LIBRARIES and glibc[0] == 2:
        for minor, limits in sorted(MANYLINUX.get(machine, {}).items()):
            if minor >= glibc[1] and all(_version_key(largest.get(family, "0")) <= _version_key(limit)
                                         for family, limit in zip(("GLIBCXX", "CXXABI", "GCC"), limits)):
                return f"manylinux_2_{minor}_{machine}"
    return f"linux_{machine}"


# ---- Wheels -------------------------------------------------------------------

def _dist_info():
    return f"{NAME}-{_version()}.dist-info"


def _wheel_file(tag):
    return f"Wheel-Version: 1.0\nGenerator: softsortkit_build\nRoot-Is-Purelib: false\nTag: {tag}\n"


def _record_line(name, data):
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{name},sha256={digest},{len(data)}"


def _write_wheel(wheel_directory, tag, files):
    """Writes NAME-VERSION-py3-none-TAG.whl holding `files` (name -> bytes) and its dist-info."""
    info = _dist_info()
    files = dict(files)
    files[f"{info}/METADATA"] = _metadata().encode()
    files[f"{info}/WHEEL"] = _wheel_file(f"py3-none-{tag}").encode()
    files[f"{info}/top_level.txt"] = (NAME + "\n").encode()
    license_file = _license()
    if license_file:
        files[f"{info}/LICENSE"] = license_file.read_bytes()
    record = [_record_line(name, data) for name, data in files.items()] + [f"{info}/RECORD,,"]
    files[f"{info}/RECORD"] = ("\n".join(record) + "\n").encode()
    wheel_name = f"{NAME}-{_version()}-py3-none-{tag}.whl"
    with zipfile.ZipFile(pathlib.Path(wheel_directory) / wheel_name, "w", zipfile.ZIP_DEFLATED) as wheel:
        for name, data in files.items():
            entry = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
            entry.external_attr = (0o755 if name.endswith(".so") else 0o644) << 16
            entry.compress_type = zipfile.ZIP_DEFLATED
            wheel.writestr(entry, data)
    return wheel_name


def _license():
    for candidate in (HERE / "LICENSE", HERE.parent / "LICENSE"):
        if candidate.is_file():
            return candidate
    return None


def _package_files():
    """The Python package's files (sources, py.typed, stubs), name in the wheel -> bytes."""
    files = {}
    for source in sorted((HERE / NAME).rglob("*")):
        relative = source.relative_to(HERE / NAME)
        if source.is_file() and source.suffix in (".py", ".pyi", ".typed") and "__pycache__" not in relative.parts:
            files[f"{NAME}/{relative.as_posix()}"] = source.read_bytes()
    return files


# ---- PEP 517 and PEP 660 hooks ------------------------------------------------

def get_requires_for_build_wheel(config_settings=None):
    return []


def get_requires_for_build_sdist(config_settings=None):
    return []


def get_requires_for_build_editable(config_settings=None):
    return []


def _prepare_metadata(metadata_directory):
    info = pathlib.Path(metadata_directory) / _dist_info()
    info.mkdir(parents=True, exist_ok=True)
    (info / "METADATA").write_text(_metadata())
    # The tag is known once the library is built; build_wheel writes the real WHEEL file.
    (info / "WHEEL").write_text(_wheel_file("py3-none-any"))
    return info.name


def prepare_metadata_for_build_wheel(metadata_directory, config_settings=None):
    return _prepare_metadata(metadata_directory)


def prepare_metadata_for_build_editable(metadata_directory, config_settings=None):
    return _prepare_metadata(metadata_directory)


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    with _library() as library:
        files = _package_files()
        files[f"{NAME}/libsoftsortkit.so"] = library.read_bytes()
        files[f"{NAME}/include/softsortkit.h"] = (_sources() / "include" / "softsortkit.h").read_bytes()
        return _write_wheel(wheel_directory, platform_tag(library), files)


def build_editable(wheel_directory, config_settings=None, metadata_directory=None):
    """A wheel holding a .pth file that puts this folder on sys.path. The library is built and copied
    to softsortkit/libsoftsortkit.so in this folder (ignored by git): an editable install, unlike a
    wheel, writes into the source tree. Rebuild after changing the Swift sources."""
    with _library() as library:
        target = HERE / NAME / "libsoftsortkit.so"
        try:
            shutil.copyfile(library, target)
        except OSError as error:
            raise RuntimeError(f"softsortkit: an editable install writes {target}; {error}") from error
        tag = platform_tag(target)
    files = {f"__editable__.{NAME}.pth": (str(HERE) + "\n").encode()}
    return _write_wheel(wheel_directory, tag, files)


def build_sdist(sdist_directory, config_settings=None):
    """The Python package, README, LICENSE and build backend, and under swift/ the Swift sources
    the C ABI needs with their own Package.swift (MANIFEST), so building needs only a Swift toolchain."""
    base = f"{NAME}-{_version()}"
    name = f"{base}.tar.gz"
    entries = {}
    for folder in ("build_backend", NAME):
        for source in sorted((HERE / folder).rglob("*")):
            relative = source.relative_to(HERE)
            if source.is_file() and "__pycache__" not in relative.parts and source.suffix != ".so":
                entries[relative.as_posix()] = source.read_bytes()
    for file in ("pyproject.toml", "README.md"):
        entries[file] = (HERE / file).read_bytes()
    license_file = _license()
    if license_file:
        entries["LICENSE"] = license_file.read_bytes()
    entries["swift/Package.swift"] = MANIFEST.encode()
    for relative, source in _source_files(_sources()).items():
        entries[f"swift/{relative}"] = source.read_bytes()
    entries["PKG-INFO"] = _metadata().encode()
    with tarfile.open(pathlib.Path(sdist_directory) / name, "w:gz", format=tarfile.PAX_FORMAT) as archive:
        for relative, data in sorted(entries.items()):
            info = tarfile.TarInfo(f"{base}/{relative}")
            info.size, info.mode, info.mtime = len(data), 0o644, 1577836800
            archive.addfile(info, io.BytesIO(data))
    return name


# ---- C users: an installed prefix ---------------------------------------------

PKG_CONFIG = """\
prefix={prefix}
libdir=${{prefix}}/lib
includedir=${{prefix}}/include

Name: softsortkit
Description: SoftSort and NeuralSort on the CPU: the C ABI of SoftSortKit
URL: {url}
Version: {version}
Libs: -L${{libdir}} -lsoftsortkit
Cflags: -I${{includedir}}
"""


def install(prefix):
    """Builds (or takes) the library and installs it, the header and softsortkit.pc under `prefix`."""
    prefix = pathlib.Path(prefix).resolve()
    soname = f"libsoftsortkit.so.{_abi_version()}"
    (prefix / "lib" / "pkgconfig").mkdir(parents=True, exist_ok=True)
    (prefix / "include").mkdir(parents=True, exist_ok=True)
    with _library() as library:
        shutil.copyfile(library, prefix / "lib" / soname)
    (prefix / "lib" / soname).chmod(0o755)
    link = prefix / "lib" / "libsoftsortkit.so"
    if link.is_symlink() or link.exists():
        link.unlink()
    link.symlink_to(soname)
    shutil.copyfile(_sources() / "include" / "softsortkit.h", prefix / "include" / "softsortkit.h")
    (prefix / "lib" / "pkgconfig" / "softsortkit.pc").write_text(
        PKG_CONFIG.format(prefix=prefix, url=URL, version=_version()))
    print(f"softsortkit: installed lib/{soname}, lib/libsoftsortkit.so, include/softsortkit.h and "
          f"lib/pkgconfig/softsortkit.pc under {prefix}")


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description="Builds libsoftsortkit.so and installs it for C and C++ users.")
    parser.add_argument("--prefix", required=True, help="the folder to install lib/, include/ and lib/pkgconfig/ in")
    install(parser.parse_args().prefix)
