"""How stages and apps fail: one line on stderr that names the problem and the fix, no traceback."""
import os
import signal
import sys


class UserError(Exception):
    """A problem the user can fix; its message names the problem and the fix."""


_signals = []  # the interruptions received


def _interrupt(signum, frame):
    _signals.append(signum)
    raise KeyboardInterrupt  # unwind as Ctrl-C does: temporary files are removed on the way out


def in_worker():
    """For a pool's worker process, forked from one under run(): Ctrl-C is left to the parent,
    which stops the pool, and the pool's SIGTERM ends the worker quietly (the inherited handler
    raised KeyboardInterrupt there and printed its traceback)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def run(main):
    """Call main() and exit with its status; a UserError or an interruption becomes one line.
    An interruption that breaks a library midway (TensorFlow, interrupted while it converts a
    model, may fail with another error on the way out) is still an interruption."""
    signal.signal(signal.SIGTERM, _interrupt)
    signal.signal(signal.SIGINT, _interrupt)
    try:
        status = main()
    except UserError as error:
        print(f"error: {error}", file=sys.stderr)
        sys.exit(1)
    except BrokenPipeError:  # the reader left (`... | head`): stop quietly, as Unix tools do
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(141)
    except KeyboardInterrupt:
        _interrupted()
    except Exception:
        if not _signals:
            raise
        _interrupted()
    sys.exit(status or 0)


def _interrupted():
    print("interrupted; nothing half-written was kept", file=sys.stderr)
    sys.exit(130)
