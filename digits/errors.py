"""How every stage starts and fails: one clear line on stderr, a non-zero exit, no traceback."""
import sys


class StageError(Exception):
    """A problem the user can fix; its message names the problem and the fix."""


def run(main):
    """Call main(); turn a StageError or Ctrl-C into one line on stderr and exit status 1."""
    try:
        main()
    except StageError as error:
        print(f"error: {error}", file=sys.stderr)
        sys.exit(1)
    except KeyboardInterrupt:
        print("interrupted; nothing half-written was kept", file=sys.stderr)
        sys.exit(130)
