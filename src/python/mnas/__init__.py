"""mnas from Python: the search space and architectures, their costs, the zoo, and latency
measured on any device mnas can reach — the same library as the `mnas` command.

    import mnas
    space = mnas.default_space(input="28x28x1", classes=10)
    arch = space.sample(seed=1)
    print(arch.describe()["macs"], mnas.measure_latency(arch, protocol="quick")["median_ms"])

mnas.Search runs a search with your own training loop in charge (ask a trial, train it, tell its
accuracy); it loads LibTorch when first used, `import mnas` alone does not.

Errors: mnas.Error (a ValueError: bad input, its `field` names what) and mnas.IOError (an
OSError: a file, a device or the disk failed). docs/python.md has the whole tour.
"""

from ._mnas import (  # noqa: F401  (the public names)
    Architecture,
    Error,
    IOError,
    LookupTable,
    Space,
    Store,
    __version__,
    architecture,
    default_space,
    load_space,
    measure_latency,
    measure_presets,
    zoo_names,
)

__all__ = [
    "Architecture",
    "Search",
    "Trial",
    "Error",
    "IOError",
    "LookupTable",
    "Space",
    "Store",
    "architecture",
    "default_space",
    "load_space",
    "measure_latency",
    "measure_presets",
    "zoo_names",
]


def _store_to_pandas(self, rows="trials", device=""):
    """The store's `rows` ("trials", "pareto" or "references") as a pandas DataFrame, one row per
    dict of Store.trials() etc.; pandas is not needed for anything else in mnas."""
    try:
        import pandas
    except ImportError as e:
        raise ImportError("Store.to_pandas() needs pandas (Debian: python3-pandas); "
                          "Store.trials() etc. give the same rows as dicts") from e
    if rows not in ("trials", "pareto", "references"):
        error = Error(f"rows: '{rows}'; use trials, pareto or references")
        error.field = "rows"
        raise error
    return pandas.DataFrame(getattr(self, rows)(device))


Store.to_pandas = _store_to_pandas


def __getattr__(name):
    # mnas.Search and mnas.Trial load the search's module (and LibTorch) on first use only.
    if name in ("Search", "Trial"):
        from . import _search

        return getattr(_search, name)
    raise AttributeError(f"module 'mnas' has no attribute {name!r}")
