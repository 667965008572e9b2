"""One list: the functions and codes of include/softsortkit.h, the library's @_cdecl exports
(Sources/SoftSortKitCABI/*.swift) and the package's ctypes table (softsortkit._library._SIGNATURES,
_RESULTS, Options; softsortkit._constants) are the same, name for name and type for type."""
import ctypes
import re

import pytest

from conftest import REPOSITORY
from softsortkit import _constants, _errors, _library, _options

HEADER = REPOSITORY / "include" / "softsortkit.h"
SWIFT = REPOSITORY / "Sources" / "SoftSortKitCABI"

_C_KINDS = {"int64_t": "int64", "int32_t": "int32", "double": "double"}
_SWIFT_KINDS = {"Int64": "int64", "Int32": "int32", "Double": "double"}
_CTYPES_KINDS = {ctypes.c_void_p: "pointer", ctypes.c_int64: "int64", ctypes.c_int32: "int32",
                 ctypes.c_double: "double", ctypes.c_char_p: "string", None: "void"}


def _header_text():
    text = HEADER.read_text()
    text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
    return re.sub(r"//[^\n]*", " ", text)


def _c_kind(declaration):
    """``"pointer"``, ``"int64"``, ``"int32"`` or ``"double"`` of a C parameter (type and name)."""
    if "*" in declaration:
        return "pointer"
    return _C_KINDS[declaration.split()[0]]


def header_functions():
    """name -> (result kind, [parameter kinds]) of every prototype in the header."""
    text = re.sub(r"(static_assert|_Static_assert)\s*\(.*?\)\s*;", " ", _header_text(), flags=re.S)
    text = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))
    functions = {}
    for match in re.finditer(r"([A-Za-z_][\w\s\*]*?)\b(softsortkit_\w+)\s*\(([^()]*)\)\s*;", text):
        result, name, parameters = match.group(1).strip(), match.group(2), match.group(3).strip()
        kinds = [] if parameters in ("", "void") else [_c_kind(p.strip()) for p in parameters.split(",")]
        result_kind = {"int32_t": "int32", "void": "void", "const char *": "string", "void *": "pointer"}[
            " ".join(result.split())]
        assert name not in functions, f"{name} is declared twice in the header"
        functions[name] = (result_kind, kinds)
    return functions


def _swift_kind(declaration):
    kind = declaration.split(":", 1)[1].strip()
    return "pointer" if kind.startswith("Unsafe") else _SWIFT_KINDS[kind]


def swift_exports():
    """name -> (result kind, [parameter kinds]) of every @_cdecl function of the C ABI target."""
    exports = {}
    for source in sorted(SWIFT.glob("*.swift")):
        text = source.read_text()
        for match in re.finditer(r'@_cdecl\("(\w+)"\)\s*public func (\w+)\s*\((.*?)\)\s*(->\s*([^{]+?))?\s*\{',
                                 text, flags=re.S):
            name, function, parameters, result = match.group(1), match.group(2), match.group(3), match.group(5)
            assert name == function, f"{source.name}: @_cdecl({name}) names func {function}"
            kinds = [_swift_kind(p) for p in parameters.split(",") if p.strip()]
            result_kind = {None: "void", "Int32": "int32", "UnsafePointer<CChar>": "string",
                           "UnsafePointer<CChar>?": "string", "UnsafeMutableRawPointer?": "pointer"}[
                result.strip() if result else None]
            assert name not in exports, f"{name} is exported twice"
            exports[name] = (result_kind, kinds)
    return exports


def python_signatures():
    return {"softsortkit_" + name: (_CTYPES_KINDS[_library._RESULTS.get(name, ctypes.c_int32)],
                                    [_CTYPES_KINDS[kind] for kind in arguments])
            for name, arguments in _library._SIGNATURES.items()}


def header_defines():
    """``SOFTSORTKIT_<NAME>`` -> value of every integer #define (aliases resolved), less the prefix."""
    raw = dict(re.findall(r"^[ \t]*#define[ \t]+SOFTSORTKIT_(\w+)[ \t]+(\S+)", HEADER.read_text(), flags=re.M))
    values = {}
    for name, value in raw.items():
        while value.startswith("SOFTSORTKIT_"):
            value = raw[value[len("SOFTSORTKIT_"):]]
        values[name] = int(value)
    return values


def test_the_lists_are_not_empty():
    """The parsers found every output export (a regex that matched nothing would prove nothing)."""
    header = header_functions()
    assert len(header) == len(re.findall(r"\bsoftsortkit_\w+\s*\(", _header_text()))  # every prototype parsed
    for output in ("matrices", "permutation", "apply", "apply_transposed", "sorted_values", "ranks", "top_k",
                   "quantiles", "cross_entropy", "nearest_neighbor_loss", "log_normalizers"):
        for t in ("f32", "f64"):
            assert f"softsortkit_{output}_{t}" in header
    for output in ("sorted_values", "ranks", "apply", "top_k", "quantiles", "matrices", "apply_transposed"):
        for handler in (output, output + "_backward"):
            assert header[f"softsortkit_xla_{handler}"] == ("pointer", ["pointer"])  # XLA_FFI_Handler
    for loss in ("cross_entropy", "nearest_neighbor_loss"):
        assert header[f"softsortkit_xla_{loss}"] == ("pointer", ["pointer"])
    defines = HEADER.read_text().count("#define SOFTSORTKIT_")
    assert len(header_defines()) == defines - 1  # all but the include guard SOFTSORTKIT_H


def test_header_and_swift_exports_agree():
    header, swift = header_functions(), swift_exports()
    assert sorted(set(header) - set(swift)) == [], "declared in the header but not exported"
    assert sorted(set(swift) - set(header)) == [], "exported but not declared in the header"
    for name in header:
        assert swift[name] == header[name], name


def test_python_signatures_agree_with_the_header():
    header, python = header_functions(), python_signatures()
    assert sorted(set(header) - set(python)) == [], "declared in the header but missing from _SIGNATURES"
    assert sorted(set(python) - set(header)) == [], "in _SIGNATURES but not in the header"
    for name in header:
        assert python[name] == header[name], name


def test_output_functions_take_options_scores_and_report_the_path():
    for name, (result, kinds) in header_functions().items():
        if re.search(r"_f(32|64)$", name):
            assert result == "int32" and kinds[:4] == ["pointer", "pointer", "int64", "int64"], name
            if not name.startswith("softsortkit_permutation_"):
                assert kinds[-1] == "pointer", name  # path_used
    text = _header_text()
    for name in header_functions():
        if re.search(r"_f(32|64)$", name) and not name.startswith("softsortkit_permutation_"):
            declaration = re.search(rf"\b{name}\s*\(([^()]*)\)", text).group(1)
            assert declaration.split(",")[0].split() == ["const", "softsortkit_options", "*options"], name
            assert declaration.split(",")[-1].split() == ["int32_t", "*path_used"], name


def test_defines_match_the_python_constants():
    python = {name: value for name, value in vars(_constants).items() if name.isupper()}
    assert header_defines() == python
    assert _library.ABI_VERSION == _constants.ABI_VERSION
    errors = {value for name, value in python.items() if name.startswith("ERROR_")}
    assert set(_errors.CODES) == errors
    assert set(_options.PATHS.values()) | {_constants.PATH_WINDOW_RANKS, _constants.PATH_WINDOW_TOLERANCE} == {
        value for name, value in python.items() if name.startswith("PATH_")}
    assert set(_options.METHODS.values()) == {value for name, value in python.items() if name.startswith("METHOD_")}


def _c_layout(fields):
    """Offsets and size of a C struct of int32_t and double fields, natural alignment."""
    sizes = {"int32_t": 4, "double": 8}
    offset, offsets = 0, []
    for kind, _ in fields:
        offset = (offset + sizes[kind] - 1) // sizes[kind] * sizes[kind]
        offsets.append(offset)
        offset += sizes[kind]
    largest = max(sizes[kind] for kind, _ in fields)
    return offsets, (offset + largest - 1) // largest * largest


def test_options_struct_agrees():
    body = re.search(r"typedef struct softsortkit_options\s*\{(.*?)\}\s*softsortkit_options\s*;",
                     _header_text(), flags=re.S).group(1)
    fields = [tuple(declaration.split()) for declaration in body.split(";") if declaration.strip()]
    assert [name for _, name in fields] == [name for name, _ in _library.Options._fields_]
    kinds = {"int32_t": ctypes.c_int32, "double": ctypes.c_double}
    assert [kinds[kind] for kind, _ in fields] == [kind for _, kind in _library.Options._fields_]
    offsets, size = _c_layout(fields)
    assert size == ctypes.sizeof(_library.Options) == 48
    assert offsets == [getattr(_library.Options, name).offset for _, name in fields]
    # The Swift side reads the struct at its own offsets (CallOptions.Offset): the same ones.
    swift = (SWIFT / "Options.swift").read_text()
    block = re.search(r"enum Offset \{(.*?)\}", swift, flags=re.S).group(1)
    swift_offsets = {re.sub(r"(?<!^)([A-Z])", r"_\1", name).lower(): int(value)
                     for name, value in re.findall(r"(\w+) = (\d+)", block)}
    assert swift_offsets == {name: offset for (_, name), offset in zip(fields, offsets)}


@pytest.mark.parametrize("name", sorted(_library._SIGNATURES))
def test_every_signature_is_loaded(name):
    assert getattr(_library.lib, name).argtypes == _library._SIGNATURES[name]
