"""Read many files on every core: worker processes, each with its own copy of the model, the
results in the order of the files, and one memory budget for the decodes of them all.

A pool costs each worker a start (Python, NumPy, Pillow and the model: about 0.2 s), so short
lists are read in this process, with the model already loaded.
"""
import contextlib
import functools
import multiprocessing

from digits import cpus, errors
from digits.litert import Classifier

POOL_FROM = 256  # files: below this, one process finishes before a pool has started
CHUNK = 64       # files a worker takes at a time: fewer round trips, still even shares
DEFAULT_MOST = 4  # processes by default: each holds about 60 MB beside the decodes' shared
                  # budget, so four keep the whole under 1 GB

_worker = None  # each worker's own (model, decode budget)


def default_jobs():
    """One process per CPU this process may run on, at most DEFAULT_MOST."""
    return min(cpus.usable(), DEFAULT_MOST)


class NoBudget:
    """One process decodes one image at a time: nothing to share."""

    def share(self, cost):
        return contextlib.nullcontext()


class SharedBudget:
    """Bytes that the workers' decodes may take together: a decode waits until its cost fits
    beside the others' (an image that takes the whole budget, until it is alone)."""

    def __init__(self, context, limit):
        self._used, self._changed = context.Value("q", 0, lock=False), context.Condition()
        self._limit = limit

    @contextlib.contextmanager
    def share(self, cost):
        with self._changed:
            self._changed.wait_for(lambda: self._used.value == 0
                                   or self._used.value + cost <= self._limit)
            self._used.value += cost
        try:
            yield
        finally:
            with self._changed:
                self._used.value -= cost
                self._changed.notify_all()


def in_order(function, items, classifier, jobs, memory_limit):
    """The results of function(some items, classifier, budget) -> one result each, for all the
    items in order, CHUNK at a time, on up to `jobs` processes whose decodes share
    `memory_limit` bytes (budget.share(cost) around each). `function` must be a module-level
    function (the workers import it by name)."""
    chunks = [items[start:start + CHUNK] for start in range(0, len(items), CHUNK)]
    if jobs <= 1 or len(items) < POOL_FROM:
        for chunk in chunks:
            yield from function(chunk, classifier, NoBudget())
        return
    context = multiprocessing.get_context("spawn")  # no fork of a process running LiteRT
    budget = SharedBudget(context, memory_limit)
    with context.Pool(jobs, _start_worker, (classifier.path, budget)) as pool:
        for results in pool.imap(functools.partial(_in_worker, function), chunks):
            yield from results


def _start_worker(model_path, budget):
    errors.in_worker()
    global _worker
    _worker = Classifier(model_path), budget


def _in_worker(function, items):
    return function(items, *_worker)
