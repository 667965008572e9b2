"""The process-wide settings: set_threads' range, SOFTSORT_THREADS and
SOFTSORT_BACKEND checked at import, the version macros, error names, and the
scratch a dense call leaves behind."""
import ctypes
import os
import re
import subprocess
import sys

import numpy as np
import pytest

import softsortkit
from conftest import REPOSITORY
from softsortkit import _constants, _library


@pytest.mark.parametrize("count", [0, 1, 2, softsortkit.MAX_THREADS])
def test_set_threads_takes_zero_to_the_maximum(count):
    softsortkit.set_threads(count)
    assert softsortkit.threads() == count if count else softsortkit.threads() >= 1


@pytest.mark.parametrize("count", [-1, -2, softsortkit.MAX_THREADS + 1, 1_000_000, 2**40])
def test_set_threads_refuses_a_count_outside_the_range_naming_it(count):
    softsortkit.set_threads(3)
    with pytest.raises(softsortkit.SoftSortKitError, match=rf"count must be in 0 \.\.\. 4096 .*got {count}$") as caught:
        softsortkit.set_threads(count)
    assert caught.value.code == _constants.ERROR_INVALID_THREAD_COUNT
    assert softsortkit.threads() == 3  # unchanged


@pytest.mark.parametrize("count", [1.5, "2", True, None])
def test_set_threads_refuses_a_non_integer(count):
    with pytest.raises(TypeError, match="count must be an int"):
        softsortkit.set_threads(count)


@pytest.mark.parametrize("count", [-1, _constants.MAX_THREADS + 1])
def test_the_c_abi_refuses_the_same_counts(count):
    """The library checks too (C callers): its message names the range with 0 in it."""
    assert _library.lib.set_threads(count) == _constants.ERROR_INVALID_THREAD_COUNT
    message = _library.lib.last_error().decode()
    assert message == f"threads must be in 0...4096 (0: SOFTSORT_THREADS or the cores available), got {count}"


def _import_with(environment, code="import softsortkit, numpy as np, softsortkit.numpy as sn; "
                                   "print(softsortkit.threads(), softsortkit.backend())"):
    env = {k: v for k, v in os.environ.items() if k not in ("SOFTSORT_THREADS", "SOFTSORT_BACKEND")}
    env.update(environment)
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=REPOSITORY)


@pytest.mark.parametrize("value", ["abc", "0", "-2", "4097", "1.5", " 3", "1_0", "3x"])
def test_a_bad_softsort_threads_fails_at_import_naming_the_variable(value):
    result = _import_with({"SOFTSORT_THREADS": value})
    assert result.returncode != 0
    assert f"SOFTSORT_THREADS = {value!r} is not a thread count" in result.stderr, result.stderr
    assert "SoftSortKitError" in result.stderr


def test_the_library_refuses_a_bad_softsort_threads_too():
    """Past Python's check (C callers): every call fails with the variable named."""
    # ctypes alone: importing softsortkit would stop at its own check.
    code = ("import ctypes, sys; lib = ctypes.CDLL(sys.argv[1]); lib.softsortkit_last_error.restype = ctypes.c_char_p\n"
            "o = ctypes.create_string_buffer(48); lib.softsortkit_options_init(o)\n"
            "s = (ctypes.c_double * 4)(0, 1, 2, 3); out = (ctypes.c_double * 4)()\n"
            "rc = lib.softsortkit_sorted_values_f64(o, s, ctypes.c_int64(1), ctypes.c_int64(4), out, None)\n"
            "print(rc, lib.softsortkit_last_error().decode())")
    env = dict(os.environ, SOFTSORT_THREADS="abc")
    result = subprocess.run([sys.executable, "-c", code, _library.lib.path], capture_output=True, text=True, env=env,
                            cwd=REPOSITORY)
    code_, _, message = result.stdout.strip().partition(" ")
    assert int(code_) == _constants.ERROR_INVALID_THREAD_COUNT, result.stdout + result.stderr
    assert message.startswith("the environment variable SOFTSORT_THREADS = 'abc' is not a thread count")


@pytest.mark.parametrize("value", ["", "1", "2", "4096", "+2"])
def test_a_good_softsort_threads_is_used(value):
    result = _import_with({"SOFTSORT_THREADS": value})
    assert result.returncode == 0, result.stderr
    if value:
        assert result.stdout.split()[0] == str(int(value))


@pytest.mark.parametrize("value", ["neon", "AVX2", "gpu"])
def test_an_unknown_softsort_backend_fails_at_import_naming_the_variable(value):
    result = _import_with({"SOFTSORT_BACKEND": value})
    assert result.returncode != 0
    assert f"the environment variable SOFTSORT_BACKEND = '{value}' names no backend" in result.stderr, result.stderr


@pytest.mark.parametrize("value", ["scalar", "simd"])
def test_a_known_softsort_backend_is_used(value):
    result = _import_with({"SOFTSORT_BACKEND": value})
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[1] == value


def test_error_names_are_the_header_codes():
    names = {value: name for name, value in vars(_constants).items()
             if (name.startswith("ERROR_") or name == "OK") and name != "ERROR_UNSUPPORTED"}
    assert len(names) == 12
    for code, name in names.items():
        assert _library.lib.error_name(code).decode() == "SOFTSORTKIT_" + name
    for code in (-1, 12, 1000, -(2**31)):
        assert _library.lib.error_name(code) is None


def test_version_macros_match_the_library_and_the_package():
    header = (REPOSITORY / "include" / "softsortkit.h").read_text()
    macros = [int(re.search(rf"#define SOFTSORTKIT_VERSION_{part} (\d+)", header).group(1))
              for part in ("MAJOR", "MINOR", "PATCH")]
    assert ".".join(map(str, macros)) == softsortkit.library_version() == softsortkit.__version__


def _resident_bytes():
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


@pytest.mark.skipif(not os.path.exists("/proc/self/statm"), reason="reads /proc/self/statm (Linux)")
def test_a_large_dense_call_keeps_no_scratch_once_idle():
    """A dense soft_sort at B = 20, n = 2000 (305 MiB of float32 matrices) keeps its workspace while
    calls keep coming, and frees it a second after the last: then the process holds far less than
    the matrices."""
    script = ("import os, time, numpy as np, softsortkit.numpy as sn\n"
              "def rss():\n    return int(open('/proc/self/statm').read().split()[1]) * os.sysconf('SC_PAGE_SIZE')\n"
              "s = np.random.default_rng(0).standard_normal((20, 2000)).astype(np.float32)\n"
              "sn.sorted_values(s, temperature=0.1, path='exact')\n"
              "before = rss()\nP = sn.soft_sort(s, temperature=0.1, power=1.0, path='dense')\ndel P\n"
              "kept = rss()\nstart = time.monotonic()\n"
              "while time.monotonic() - start < 10 and rss() - before > 61e6:\n    time.sleep(0.1)\n"
              "print(before, kept, rss(), time.monotonic() - start)")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True,
                            cwd=REPOSITORY)
    before, kept, idle, waited = map(float, result.stdout.split())
    matrices = 20 * 2000 * 2000 * 4
    assert waited >= 0.9  # not before a second without a call
    assert kept - before > matrices * 0.9  # right after the call the workspace is kept (the test can see it)
    assert idle - before < matrices * 0.2, (before, kept, idle)
