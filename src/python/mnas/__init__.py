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


def __getattr__(name):
    # mnas.Search and mnas.Trial load the search's module (and LibTorch) on first use only.
    if name in ("Search", "Trial"):
        from . import _search

        return getattr(_search, name)
    raise AttributeError(f"module 'mnas' has no attribute {name!r}")
