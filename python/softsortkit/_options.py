"""The settings every call takes, as ``softsortkit_options``, and the paths
by name.

A path is one of the names ``"automatic"`` (the default: the library chooses,
for each output, the fastest path that computes it exactly), ``"dense"``,
``"fused"``, ``"exact"`` (SoftSort with ``power=1``), ``"gauss"``
(``power=2``), or a window: ``softsortkit.window(ranks=w)``,
``softsortkit.window(tolerance=t)``, or the same as a string,
``"window(ranks: 3)"`` / ``"window(tolerance: 0.001)"``. A path reported
back (``return_path=True``) is spelled so: ``"exact"``, ``"window(ranks: 3)"``.
"""
import re

from . import _constants as c
from ._library import Options

METHODS = {"softsort": c.METHOD_SOFTSORT, "neuralsort": c.METHOD_NEURALSORT}
PATHS = {"automatic": c.PATH_AUTOMATIC, "dense": c.PATH_DENSE, "fused": c.PATH_FUSED, "exact": c.PATH_EXACT,
         "gauss": c.PATH_GAUSS}
_PATH_NAMES = {code: name for name, code in PATHS.items()}
_WINDOW = re.compile(r"\s*window\(\s*(ranks|tolerance)\s*:\s*([^)\s]+)\s*\)\s*$")


class Window:
    """The window path: ``Window("ranks", w)`` keeps the ``w`` sorted neighbours on
    each side of a row's own rank; ``Window("tolerance", t)`` every entry at least
    ``t`` times the row's largest (``0 < t < 1``). ``str()`` gives its name."""

    __slots__ = ("rule", "value")

    def __init__(self, rule, value):
        if rule not in ("ranks", "tolerance"):
            raise ValueError(f"softsortkit: a window keeps 'ranks' or 'tolerance', got {rule!r}")
        self.rule = rule
        self.value = int(value) if rule == "ranks" else float(value)
        if rule == "ranks" and not -2**31 <= self.value < 2**31:
            raise ValueError(f"softsortkit: a window of ranks takes an int32 width, got {value!r}")

    def __str__(self):
        return f"window({self.rule}: {self.value})"

    __repr__ = __str__

    def __eq__(self, other):
        return isinstance(other, Window) and (self.rule, self.value) == (other.rule, other.value)

    def __hash__(self):
        return hash((self.rule, self.value))


def window(*, ranks=None, tolerance=None):
    """The window path of ``ranks`` (``w >= 0``) or ``tolerance`` (``0 < t < 1``): exactly one."""
    if (ranks is None) == (tolerance is None):
        raise ValueError("softsortkit: window() takes exactly one of ranks= or tolerance=")
    return Window("ranks", ranks) if ranks is not None else Window("tolerance", tolerance)


def parse(path):
    """A path name or window (see the module docstring) as ``(code, Window or None)``."""
    if isinstance(path, Window):
        return (c.PATH_WINDOW_RANKS if path.rule == "ranks" else c.PATH_WINDOW_TOLERANCE), path
    if isinstance(path, str):
        if path in PATHS:
            return PATHS[path], None
        match = _WINDOW.match(path)
        if match:
            try:
                return parse(Window(match.group(1), match.group(2)))
            except ValueError:
                pass
    raise ValueError(
        f"softsortkit: path must be one of {', '.join(PATHS)}, softsortkit.window(ranks=w) or "
        f"softsortkit.window(tolerance=t) (or their names, 'window(ranks: 3)'), got {path!r}")


_MADE = {}


def make(temperature, power, method, descending, path, accuracy):
    """The ``softsortkit_options`` of a call, and the window asked for (to name the path that ran).
    The structures of recent settings are kept and shared (the library only reads them)."""
    key = (temperature, power, method, bool(descending), path, accuracy)
    try:
        made = _MADE.get(key)
    except TypeError:  # an unhashable argument: made (and rejected or converted) below
        key, made = None, None
    if made is None:
        made = _make(temperature, power, method, descending, path, accuracy)
        if key is not None:
            if len(_MADE) >= 256:
                _MADE.clear()
            _MADE[key] = made
    return made


def _make(temperature, power, method, descending, path, accuracy):
    if method not in METHODS:
        raise ValueError(f"softsortkit: method must be one of {', '.join(METHODS)}, got {method!r}")
    code, window = parse(path)
    options = Options(
        method=METHODS[method], direction=c.DESCENDING if descending else c.ASCENDING, path=code,
        temperature=float(temperature), power=float(power), accuracy=0.0 if accuracy is None else float(accuracy))
    if window is not None:
        if window.rule == "ranks":
            options.window_width = window.value
        else:
            options.window_tolerance = window.value
    return options, window


def code(name):
    """The path code of a path's name as ``name`` spells it (``"exact"``, ``"window(ranks: 3)"``)."""
    return parse(name)[0]


def name(code, window):
    """The name of the path code a call reported (``window``: the one it was given)."""
    if code in (c.PATH_WINDOW_RANKS, c.PATH_WINDOW_TOLERANCE):
        return str(window)
    return _PATH_NAMES[code]
