"""How many CPUs this process may use, for work spread over processes."""
import os


def usable():
    """The CPUs this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1
