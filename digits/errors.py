"""How stages and apps fail: one line on stderr that names the problem and the fix, no traceback."""
import os
import signal
import sys


class UserError(Exception):
    """A problem the user can fix; its message names the problem and the fix."""


def _terminate(signum, frame):
    raise KeyboardInterrupt  # unwind as Ctrl-C does: temporary files are removed on the way out


def run(main):
    """Call main() and exit with its status; a UserError or an interruption becomes one line."""
    signal.signal(signal.SIGTERM, _terminate)
    try:
        status = main()
    except UserError as error:
        print(f"error: {error}", file=sys.stderr)
        sys.exit(1)
    except KeyboardInterrupt:
        print("interrupted; nothing half-written was kept", file=sys.stderr)
        sys.exit(130)
    except BrokenPipeError:  # the reader left (`... | head`): stop quietly, as Unix tools do
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(141)
    sys.exit(status or 0)
