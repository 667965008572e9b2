"""The C test program (Tests/CABI/test_softsortkit.c), compiled against
include/softsortkit.h and the installed package's libsoftsortkit.so."""
import os
import pathlib
import shutil
import subprocess

import pytest

import softsortkit
from conftest import REPOSITORY

SOURCE = REPOSITORY / "Tests" / "CABI" / "test_softsortkit.c"
REFERENCE = REPOSITORY / "Tests" / "CABI" / "reference.c"


def test_c_program_passes(tmp_path):
    compiler = os.environ.get("CC") or shutil.which("gcc") or shutil.which("cc")
    assert compiler, "a C compiler (gcc or cc) is needed for the C ABI test"
    if not SOURCE.is_file():
        pytest.fail(f"{SOURCE} is missing: run the tests from a clone of the repository")
    # The library's SONAME is libsoftsortkit.so.<ABI>: link and run through that name, as an installed prefix has it.
    library = pathlib.Path(softsortkit._library.lib.path)
    folder = tmp_path / "lib"
    folder.mkdir()
    for name in ("libsoftsortkit.so", f"libsoftsortkit.so.{softsortkit._constants.ABI_VERSION}"):
        (folder / name).symlink_to(library)
    binary = tmp_path / "test_softsortkit"
    subprocess.run(
        [compiler, "-std=c11", "-O1", "-Wall", "-Wextra", "-Werror", f"-I{REPOSITORY / 'include'}", str(SOURCE), str(REFERENCE),
         f"-L{folder}", "-lsoftsortkit", f"-Wl,-rpath,{folder}", "-lm", "-o", str(binary)],
        check=True)
    result = subprocess.run([str(binary)], capture_output=True, text=True)
    print(result.stdout)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip().splitlines()[-1].endswith(" 0 failed")


def test_bundled_header_is_the_repository_header():
    bundled = pathlib.Path(softsortkit.__file__).with_name("include") / "softsortkit.h"
    assert bundled.read_text() == (REPOSITORY / "include" / "softsortkit.h").read_text()
