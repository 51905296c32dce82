"""An aiohttp server in a thread of its own on loopback: the base of the fake platform APIs."""

from __future__ import annotations

import asyncio
import json
import threading

from aiohttp import web


class ThreadedServer:
    """Subclasses (dataclasses with `host` and `port` fields) add their routes in `routes(app)`; `start()` serves
    them on `port` (0: a free one) until `stop()`."""

    name = "fake server"

    def routes(self, app: web.Application) -> None:
        raise NotImplementedError

    def start(self):  # noqa: ANN201 - the subclass itself
        ready = threading.Event()

        def run() -> None:
            self._loop = asyncio.new_event_loop()
            app = web.Application()
            self.routes(app)
            runner = web.AppRunner(app, access_log=None)
            self._loop.run_until_complete(runner.setup())
            site = web.TCPSite(runner, self.host, self.port)
            self._loop.run_until_complete(site.start())
            self.port = site._server.sockets[0].getsockname()[1]
            ready.set()
            self._loop.run_forever()
            self._loop.run_until_complete(runner.cleanup())
            self._loop.close()

        self._thread = threading.Thread(target=run, name=self.name, daemon=True)
        self._thread.start()
        assert ready.wait(10), f"the {self.name} did not start"
        return self

    def stop(self) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)


def decode_form_value(value):  # noqa: ANN001, ANN201
    """A form field that holds JSON (objects and lists, as the platform clients send them) decoded."""
    if isinstance(value, str) and value[:1] in "{[":
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value
