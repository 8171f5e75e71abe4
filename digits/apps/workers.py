"""digits-serve --workers N: N processes, each listening on a socket of its own bound to the same
port (SO_REUSEPORT), so that the kernel spreads new connections across them. By default, one per
core: a drawing is read on the event loop, so one process keeps one core busy at most.

uvicorn's own --workers shares one socket, and whichever worker wakes first takes what is
waiting: 16 keep-alive clients that connected at once all went to one worker (356 requests/s
with two workers, as with one).
"""
import errno
import multiprocessing
import socket

import uvicorn

from digits import cpus
from digits.errors import UserError

BACKLOG = 2048  # uvicorn's own
MOST = 4        # workers by default: each may hold up to 1 GB (digits/apps/limits.py)


def default_count():
    """One worker per CPU this process may run on, at most MOST."""
    return min(cpus.usable(), MOST)


def run(workers, **options):
    """Serve uvicorn.Config(**options) on `workers` processes; return when they have stopped
    (Ctrl-C or SIGTERM stops them gracefully)."""
    host, port = options["host"], options["port"]
    if not hasattr(socket, "SO_REUSEPORT"):  # not on Linux or BSD: uvicorn's shared socket
        uvicorn.run(workers=workers, **options)
        return
    _check_free(host, port)
    context = multiprocessing.get_context("spawn")
    processes = [context.Process(target=_serve, args=(options, _listening(host, port)))
                 for _ in range(workers)]
    for process in processes:
        process.start()
    print(f"serving http://{host}:{port} on {workers} worker processes (Ctrl+C to stop)",
          flush=True)
    try:
        for process in processes:
            process.join()
    except KeyboardInterrupt:  # each worker shuts down gracefully on SIGTERM
        for process in processes:
            process.terminate()
        for process in processes:
            process.join()


def _family(host):
    return socket.AF_INET6 if ":" in host else socket.AF_INET


def _check_free(host, port):
    """UserError if something already listens there: SO_REUSEPORT alone would join it."""
    with socket.socket(_family(host), socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as error:
            why = "in use" if error.errno == errno.EADDRINUSE else error.strerror
            raise UserError(f"cannot listen on {host}:{port} ({why}); choose another --port "
                            "or stop what uses it") from None


def _listening(host, port):
    listener = socket.socket(_family(host), socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    listener.bind((host, port))
    listener.listen(BACKLOG)
    return listener


def _serve(options, listener):
    uvicorn.Server(uvicorn.Config(**options)).run(sockets=[listener])
