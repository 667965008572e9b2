"""A PEP 517 build backend for softsortkit that needs nothing but the
standard library and the Swift toolchain (no network, no setuptools).

build_wheel runs, on the repository this python/ folder belongs to,

    swift build -c release -Xswiftc -static-stdlib --product softsortkit \
        --scratch-path <repository>/.build-python

and writes a wheel holding the pure-Python package, the self-contained
libsoftsortkit.so (it needs only libc, libm, libstdc++ and libgcc_s) and
softsortkit.h. Environment variables:

- SOFTSORTKIT_SOURCE_DIR: the repository (the folder with Package.swift),
  when this folder was copied away from it; default: the parent of the
  folder holding pyproject.toml.
- SOFTSORTKIT_LIBRARY: an already built libsoftsortkit.so to bundle instead
  of building one.
- SWIFT: the swift executable (default: swift on PATH).
"""
import base64
import hashlib
import io
import os
import pathlib
import re
import shutil
import subprocess
import sysconfig
import tarfile
import zipfile

NAME = "softsortkit"
HERE = pathlib.Path(__file__).resolve().parent.parent  # the python/ folder


def _version():
    text = (HERE / NAME / "_version.py").read_text()
    return re.search(r'__version__ = "([^"]+)"', text).group(1)


def _metadata():
    return "\n".join([
        "Metadata-Version: 2.1",
        f"Name: {NAME}",
        f"Version: {_version()}",
        "Summary: SoftSort and NeuralSort on the CPU: NumPy functions and PyTorch autograd over SoftSortKit's C ABI",
        "Requires-Python: >=3.9",
        "Requires-Dist: numpy",
        "Provides-Extra: torch",
        'Requires-Dist: torch; extra == "torch"',
        "Provides-Extra: test",
        'Requires-Dist: pytest; extra == "test"',
        'Requires-Dist: torch; extra == "test"',
        "",
    ])


def _tag():
    platform = sysconfig.get_platform().replace("-", "_").replace(".", "_")
    return f"py3-none-{platform}"


def _repository():
    """The folder with Package.swift that this python/ folder belongs to."""
    candidates = []
    if os.environ.get("SOFTSORTKIT_SOURCE_DIR"):
        candidates.append(pathlib.Path(os.environ["SOFTSORTKIT_SOURCE_DIR"]))
    candidates += [HERE.parent, pathlib.Path.cwd().parent]
    for candidate in candidates:
        package = candidate / "Package.swift"
        if package.is_file() and "SoftSortKitCABI" in package.read_text():
            return candidate.resolve()
    raise RuntimeError(
        "softsortkit: cannot find the SoftSortKit repository (a Package.swift with the SoftSortKitCABI "
        f"target) at {', '.join(str(c) for c in candidates)}; run `pip install ./python` from a clone, "
        "or set SOFTSORTKIT_SOURCE_DIR to the repository")


def _library():
    """Builds (or takes) libsoftsortkit.so and returns its path."""
    if os.environ.get("SOFTSORTKIT_LIBRARY"):
        path = pathlib.Path(os.environ["SOFTSORTKIT_LIBRARY"])
        if not path.is_file():
            raise RuntimeError(f"softsortkit: SOFTSORTKIT_LIBRARY={path} is not a file")
        return path
    repository = _repository()
    swift = os.environ.get("SWIFT") or shutil.which("swift")
    if not swift:
        raise RuntimeError("softsortkit: the Swift toolchain (swift) is not on PATH; it is needed to build the library")
    scratch = repository / ".build-python"
    command = [swift, "build", "-c", "release", "-Xswiftc", "-static-stdlib", "--product", "softsortkit",
               "--package-path", str(repository), "--scratch-path", str(scratch)]
    print("softsortkit: " + " ".join(command), flush=True)
    subprocess.run(command, check=True)
    binary = subprocess.run(command + ["--show-bin-path"], check=True,
                            capture_output=True, text=True).stdout.strip()
    path = pathlib.Path(binary) / "libsoftsortkit.so"
    if not path.is_file():
        raise RuntimeError(f"softsortkit: swift build finished but {path} is missing")
    return path


def _header():
    for candidate in (HERE.parent / "include" / "softsortkit.h", HERE / NAME / "include" / "softsortkit.h"):
        if candidate.is_file():
            return candidate
    return None


def _record_line(name, data):
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{name},sha256={digest},{len(data)}"


def _dist_info():
    return f"{NAME}-{_version()}.dist-info"


def _write_dist_info(directory):
    info = pathlib.Path(directory) / _dist_info()
    info.mkdir(parents=True, exist_ok=True)
    (info / "METADATA").write_text(_metadata())
    (info / "WHEEL").write_text(
        f"Wheel-Version: 1.0\nGenerator: softsortkit_build\nRoot-Is-Purelib: false\nTag: {_tag()}\n")
    (info / "top_level.txt").write_text(NAME + "\n")
    return info.name


# ---- PEP 517 hooks ----------------------------------------------------------

def get_requires_for_build_wheel(config_settings=None):
    return []


def get_requires_for_build_sdist(config_settings=None):
    return []


def prepare_metadata_for_build_wheel(metadata_directory, config_settings=None):
    return _write_dist_info(metadata_directory)


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    library = _library()
    files = {}
    for source in sorted((HERE / NAME).rglob("*.py")):
        files[f"{NAME}/{source.relative_to(HERE / NAME).as_posix()}"] = source.read_bytes()
    files[f"{NAME}/libsoftsortkit.so"] = library.read_bytes()
    header = _header()
    if header:
        files[f"{NAME}/include/softsortkit.h"] = header.read_bytes()
    info = _dist_info()
    files[f"{info}/METADATA"] = _metadata().encode()
    files[f"{info}/WHEEL"] = (
        f"Wheel-Version: 1.0\nGenerator: softsortkit_build\nRoot-Is-Purelib: false\nTag: {_tag()}\n").encode()
    files[f"{info}/top_level.txt"] = (NAME + "\n").encode()
    record = [_record_line(name, data) for name, data in files.items()] + [f"{info}/RECORD,,"]
    files[f"{info}/RECORD"] = ("\n".join(record) + "\n").encode()
    wheel_name = f"{NAME}-{_version()}-{_tag()}.whl"
    with zipfile.ZipFile(pathlib.Path(wheel_directory) / wheel_name, "w", zipfile.ZIP_DEFLATED) as wheel:
        for name, data in files.items():
            entry = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
            entry.external_attr = (0o755 if name.endswith(".so") else 0o644) << 16
            entry.compress_type = zipfile.ZIP_DEFLATED
            wheel.writestr(entry, data)
    return wheel_name


def build_sdist(sdist_directory, config_settings=None):
    """The python/ folder alone; building a wheel from it needs SOFTSORTKIT_SOURCE_DIR or SOFTSORTKIT_LIBRARY."""
    base = f"{NAME}-{_version()}"
    name = f"{base}.tar.gz"
    with tarfile.open(pathlib.Path(sdist_directory) / name, "w:gz") as archive:
        for source in sorted(HERE.rglob("*")):
            relative = source.relative_to(HERE)
            if source.is_file() and "__pycache__" not in relative.parts and not relative.parts[0].startswith("."):
                archive.add(source, arcname=f"{base}/{relative.as_posix()}")
        info = tarfile.TarInfo(f"{base}/PKG-INFO")
        data = _metadata().encode()
        info.size = len(data)
        archive.addfile(info, io.BytesIO(data))
    return name
