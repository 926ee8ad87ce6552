"""mnas.Search: the search of `mnas search` with your training loop in charge (ask and tell).

Imported the first time `mnas.Search` or `mnas.Trial` is used: it loads the search's native
module, and with it LibTorch (the strategies' controller and the proxy trainer run on it).
"""

import os
import warnings

from . import _mnas
from ._mnas_search import SearchCore as _SearchCore


def _error(field, message):
    e = _mnas.Error(field + ": " + message)
    e.field = field
    return e


def _asks_core(method, doc):
    """A read-only property answered by the native search: self._core.METHOD()."""
    return property(lambda self: getattr(self._core, method)(), doc=doc)


class Trial:
    """An architecture the search asks you to evaluate, then to `tell` it about.

    id: this session's handle. step, index: where the strategy proposed it (the store's key).
    rung, rungs: the multi-fidelity rung (0, 1, ...) and how many there are; None and 0 without.
    train_images: the training budget of this evaluation (a rung's, else the full one);
    holdout: held-out images to score (0: your choice); run_images: > 0 when a rung is the first
    train_images of one run on run_images (a promoted trial may go on from where it stopped).
    measures_latency: whether its latency is measured on `tell` (the first rung only).
    tokens: the strategy's decisions; canonical: the architecture's canonical string.
    """

    __slots__ = ("id", "step", "index", "rung", "rungs", "train_images", "holdout", "run_images",
                 "measures_latency", "tokens", "canonical", "_architecture")

    def __init__(self, fields):
        for name in self.__slots__[:-1]:
            setattr(self, name, fields[name])
        self._architecture = None

    @property
    def architecture(self):
        """The trial's network as an mnas.Architecture."""
        if self._architecture is None:
            self._architecture = _mnas.architecture(self.canonical)
        return self._architecture

    def to_dict(self):
        return {name: getattr(self, name) for name in self.__slots__[:-1]}

    def __repr__(self):
        rung = "" if self.rung is None else f", rung={self.rung}"
        return f"mnas.Trial(id={self.id}, step={self.step}, index={self.index}{rung})"


class Search:
    """An ask/tell search stored in `store` (the file `mnas search` writes).

    config: a dict of the search's configuration fields, as the store keeps them (docs/python.md):
    {"strategy": "ppo", "batch": 6, "devices": [{"name": "phone", "url": "http://..."}], ...};
    what it leaves out the library decides as for `mnas search` (an evaluator left out is
    "external": you evaluate). Errors name the field ("config.proxy.epochs: ...").
    resume=True continues the search in `store` (config may only repeat it); trials: the length
    (default: the stored one, or 200); time_budget: seconds after which nothing more is asked.
    threads, data_dir, train_device, work_dir: for evaluate() with the configuration's evaluator.
    token: an mnas-device token (str), one per device name (dict), or None for
    $MNAS_DEVICE_TOKEN; device_retries, device_timeout: as `mnas search`'s.

        with mnas.Search("run.db", {"batch": 4}, trials=40) as search:
            while (trial := search.ask()) is not None:
                search.tell(trial, accuracy=train_and_score(trial.architecture))
    """

    def __init__(self, store, config=None, *, resume=False, trials=None, time_budget=None,
                 threads=0, data_dir="", train_device="auto", token=None, device_retries=6,
                 device_timeout=900.0, work_dir=""):
        if isinstance(store, os.PathLike):
            store = os.fspath(store)
        if not isinstance(store, str) or not store:
            raise _error("store", "the search's file, a non-empty str or path")
        if config is not None and not isinstance(config, dict):
            raise _error("config", "a dict of the search's fields, or None")
        if trials is not None and (isinstance(trials, bool) or not isinstance(trials, int)):
            raise _error("trials", "an int ≥ 1, or None")
        if time_budget is not None and (isinstance(time_budget, bool) or
                                        not isinstance(time_budget, (int, float)) or
                                        not time_budget > 0):
            raise _error("time_budget", "a number of seconds > 0, or None")
        self._core = _SearchCore(store, bool(resume), config, trials,
                                 float(time_budget or 0), threads, data_dir, train_device, token,
                                 device_retries, float(device_timeout), work_dir)
        self._path = store
        self._warn()

    @classmethod
    def resume(cls, store, config=None, **options):
        """The search stored in `store`, continued (a CLI search too)."""
        return cls(store, config, resume=True, **options)

    def ask(self, n=None, *, wait=False):
        """The next trial to evaluate, or None when the search is over. ask(n): up to n trials
        (a list; empty when over) for parallel workers. The strategy learns from a whole step
        (`batch` trials) before it proposes more: when every trial it can give is out, ask()
        raises mnas.Error unless wait=True (a worker thread waits for the others' tells)."""
        if n is not None and (isinstance(n, bool) or not isinstance(n, int) or n < 1):
            raise _error("n", "an int ≥ 1, or None for one trial")
        got = [Trial(t) for t in self._core.ask(1 if n is None else n, bool(wait))]
        self._warn()
        if n is None:
            return got[0] if got else None
        return got

    def tell(self, trial, accuracy=None, *, latency_ms=None, metrics=None, failed=None,
             seconds=None):
        """Stores the trial's result: its accuracy (a fraction in [0, 1]) and extra metrics
        (a dict of name → number), or failed="why". The search measures its latency on its
        devices now (latency_ms only where the search's latency is told: latency "told" or the
        surrogate's); returns once the trial is stored."""
        self._core.tell(self._id_of(trial), accuracy, latency_ms, metrics, failed, seconds)
        self._warn()

    def evaluate(self, trial):
        """Evaluates the trial in this process with the configuration's own evaluator (the
        surrogate, the proxy training, a cmd: command): a dict of tell()'s arguments, so that
        `search.tell(trial, **search.evaluate(trial))` does what `mnas search` does."""
        return self._core.evaluate(self._id_of(trial))

    @property
    def pending(self):
        """The trials asked and not told."""
        return [Trial(t) for t in self._core.pending()]

    finished = _asks_core(
        "finished", "Whether nothing more will be asked (the length or the time budget reached).")
    config = _asks_core("config", "The search's whole configuration, as the store keeps it.")
    length = _asks_core("length", "The number of trials the search goes to.")
    is_new = _asks_core("is_new", "Whether this search was created here, not resumed.")
    evaluator = _asks_core("evaluator", "The name of the evaluator that scores its trials.")

    @property
    def path(self):
        return self._path

    def results(self):
        """The stored trials so far (mnas.Store(path).trials())."""
        return _mnas.Store(self._path).trials()

    def close(self):
        """Ends the search here: trials asked and not told are dropped (resume asks them
        again); every told trial is already stored."""
        self._core.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False

    def __repr__(self):
        return f"mnas.Search({self._path!r}, length={self.length})"

    def _id_of(self, trial):
        if isinstance(trial, Trial):
            return trial.id
        if isinstance(trial, int) and not isinstance(trial, bool):
            return trial
        raise _error("trial", "an mnas.Trial from ask(), or its id")

    def _warn(self):
        for message in self._core.take_warnings():
            warnings.warn("mnas: " + message, RuntimeWarning, stacklevel=3)
