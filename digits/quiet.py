"""Silence C++ libraries that print start-up notes to file descriptor 2 whatever the log level."""
import contextlib
import os


@contextlib.contextmanager
def stderr_discarded():
    """Send what anything in this process writes to fd 2 to /dev/null while the block runs.
    For start-up only: other threads' messages in the meantime are lost too."""
    saved, sink = os.dup(2), os.open(os.devnull, os.O_WRONLY)
    os.dup2(sink, 2)
    try:
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(sink)
