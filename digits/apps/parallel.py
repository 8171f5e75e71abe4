"""Read many files on every core: worker processes, each with its own copy of the model, and
the results in the order of the files.

A pool costs each worker a start (Python, NumPy, Pillow and the model: about 0.2 s), so short
lists are read in this process, with the model already loaded.
"""
import multiprocessing
import os
import signal

from digits.litert import Classifier

POOL_FROM = 256  # files: below this, one process finishes before a pool has started
CHUNK = 16       # files a worker takes at a time: fewer round trips, still even shares

_classifier = None  # each worker's own model


def usable_cores():
    """The CPUs this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def in_order(function, items, classifier, jobs):
    """function(item, classifier) for each item, in order, on up to `jobs` processes.
    `function` must be a module-level function (the workers import it by name)."""
    if jobs <= 1 or len(items) < POOL_FROM:
        yield from (function(item, classifier) for item in items)
        return
    context = multiprocessing.get_context("spawn")  # no fork of a process running LiteRT
    with context.Pool(jobs, _start_worker, (classifier.path,)) as pool:
        yield from pool.imap(_Call(function), items, CHUNK)


def _start_worker(model_path):
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C: the parent stops the pool, one line
    global _classifier
    _classifier = Classifier(model_path)


class _Call:
    """function(item, the worker's model), picklable."""

    def __init__(self, function):
        self.function = function

    def __call__(self, item):
        return self.function(item, _classifier)
