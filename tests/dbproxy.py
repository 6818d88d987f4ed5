"""A TCP proxy in front of PostgreSQL that a test controls, to take the database away from a
running portal without touching the shared server.

- ``forward``: connections pass through to the server;
- ``refuse``: the port is closed (a new connection is refused) and every open connection is
  cut, as when the server is down;
- ``freeze``: connections are accepted and nothing is passed either way, on new or open
  connections, as when the server (or the network) hangs.

Back to ``forward``, connections frozen meanwhile are closed (their clients gave up on them);
new ones pass again.
"""

import select
import socket
import threading

FORWARD, REFUSE, FREEZE = "forward", "refuse", "freeze"


class DatabaseProxy:
    def __init__(self, upstream=("127.0.0.1", 5432), host="127.0.0.1"):
        self.upstream = upstream
        self.host = host
        self.mode = FORWARD
        self.peers = {}  # socket -> the socket at the other end of its pair
        self.held = []  # accepted while frozen, never connected upstream
        self.listener = self._listen(0)
        self.port = self.listener.getsockname()[1]
        self._requested = None
        self._changed = threading.Event()
        self._stopped = False
        self._thread = threading.Thread(target=self._run, name="db-proxy", daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stopped = True
        self._thread.join(timeout=5)
        self._close_all()
        if self.listener:
            self.listener.close()

    def set_mode(self, mode):
        """Switch mode; returns once the proxy's thread has applied it."""
        self._changed.clear()
        self._requested = mode
        if not self._changed.wait(timeout=5):
            raise RuntimeError("the proxy did not change mode")

    # --- the proxy's own thread: every socket is used from here only --------------------------

    def _listen(self, port):
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((self.host, port))
        listener.listen(64)
        return listener

    def _close_all(self):
        for sock in [*self.peers, *self.held]:
            sock.close()
        self.peers.clear()
        self.held.clear()

    def _apply(self, mode):
        if mode == REFUSE:
            self._close_all()
            if self.listener:
                self.listener.close()
                self.listener = None
        elif mode == FREEZE:
            if self.listener is None:
                self.listener = self._listen(self.port)
        elif mode == FORWARD:
            for sock in self.held:
                sock.close()
            self.held.clear()
            if self.listener is None:
                self.listener = self._listen(self.port)
        self.mode = mode

    def _accept(self):
        client, _ = self.listener.accept()
        if self.mode == FREEZE:
            self.held.append(client)
            return
        try:
            server = socket.create_connection(self.upstream, timeout=5)
        except OSError:
            client.close()
            return
        self.peers[client], self.peers[server] = server, client

    def _drop(self, sock):
        other = self.peers.pop(sock, None)
        sock.close()
        if other is not None:
            self.peers.pop(other, None)
            other.close()

    def _pump(self, sock):
        try:
            data = sock.recv(65536)
            if data:
                self.peers[sock].sendall(data)
                return
        except OSError:
            pass
        self._drop(sock)

    def _run(self):
        while not self._stopped:
            if self._requested is not None:
                mode, self._requested = self._requested, None
                self._apply(mode)
                self._changed.set()
            readable = [self.listener] if self.listener else []
            if self.mode == FORWARD:
                readable += list(self.peers)
            if not readable:
                select.select([], [], [], 0.05)
                continue
            ready, _, _ = select.select(readable, [], [], 0.05)
            for sock in ready:
                if sock is self.listener:
                    self._accept()
                elif sock in self.peers:
                    self._pump(sock)
