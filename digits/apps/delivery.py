"""HTTP/1.1 for digits-serve: uvicorn's httptools protocol, made to deliver every early answer.

The app may answer before the request's body has all arrived: 413 for a body over the limit,
415, 404, 503 when busy. uvicorn then closes the connection when the client asked it to
(`Connection: close`, HTTP/1.0), and closing a socket with unread data in it makes the kernel
send a reset, which can destroy the answer before the client reads it: the client sees
"connection reset" instead of the 413. Here the connection closes gracefully instead: it sends
its answer and a FIN, then reads and discards the rest of the body (at most DRAIN_BYTES, for at
most DRAIN_SECONDS) before closing. On a kept-alive connection uvicorn already discards the rest
of the body; here that too stops after DRAIN_BYTES.
"""
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

DRAIN_BYTES = 32 * 2**20
DRAIN_SECONDS = 10


class _Transport:
    """The connection's transport, whose close() waits for the body to end when it must."""

    def __init__(self, transport, protocol):
        self._transport, self._protocol = transport, protocol

    def close(self):
        self._protocol.close_gracefully()

    def __getattr__(self, name):
        return getattr(self._transport, name)


class DeliveringProtocol(HttpToolsProtocol):
    """uvicorn's HTTP/1.1 protocol whose early answers always reach the client."""

    def connection_made(self, transport):
        self._receiving, self._draining, self._drained, self._timer = False, False, 0, None
        super().connection_made(_Transport(transport, self))

    def on_message_begin(self):
        super().on_message_begin()
        self._receiving, self._drained = True, 0

    def on_message_complete(self):
        self._receiving = False
        super().on_message_complete()

    def on_body(self, body):
        if self.cycle is not None and self.cycle.response_complete:  # answered: discarded
            self._count_drained(len(body))
        super().on_body(body)

    def data_received(self, data):
        if self._draining:
            self._count_drained(len(data))
        else:
            super().data_received(data)

    def close_gracefully(self):
        """Close now if the request has all arrived; else answer first, then drain."""
        transport = self.transport._transport
        if not self._receiving or self._draining or transport.is_closing():
            transport.close()
            return
        self._draining = True
        if transport.can_write_eof():
            transport.write_eof()  # the answer, then FIN: the client knows it is complete
        transport.resume_reading()
        self._timer = self.loop.call_later(DRAIN_SECONDS, transport.close)

    def eof_received(self):  # the client sent all it had and read our answer: done
        if self._draining:
            self.transport._transport.close()
        return super().eof_received()

    def connection_lost(self, exc):
        if self._timer is not None:
            self._timer.cancel()
        super().connection_lost(exc)

    def _count_drained(self, size):
        self._drained += size
        if self._drained > DRAIN_BYTES:
            self.transport._transport.close()
