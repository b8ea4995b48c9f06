"""The forwarder process: runs inside the noc, serves listening sockets opened in the host.

Run as `python netmon/lab/procs/forwarder.py FD:PORT...` by `lab up` (see netmon/lab/forward.py).
Each connection accepted on FD is relayed to 127.0.0.1:PORT as seen from the noc.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import sys

CONNECT_TIMEOUT_S = 5.0


async def _pump(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    except (ConnectionError, OSError):
        pass
    finally:
        with contextlib.suppress(OSError):
            writer.close()


async def _serve(sock: socket.socket, port: int) -> None:
    async def handle(r: asyncio.StreamReader, w: asyncio.StreamWriter) -> None:
        try:
            ur, uw = await asyncio.wait_for(
                asyncio.open_connection("127.0.0.1", port), CONNECT_TIMEOUT_S
            )
        except (OSError, TimeoutError):
            w.close()
            return
        await asyncio.gather(_pump(r, uw), _pump(ur, w))

    server = await asyncio.start_server(handle, sock=sock)
    async with server:
        await server.serve_forever()


async def _main(specs: list[str]) -> None:
    tasks = []
    for spec in specs:
        fd, port = (int(x) for x in spec.split(":"))
        sock = socket.socket(fileno=fd)
        tasks.append(_serve(sock, port))
    await asyncio.gather(*tasks)


if __name__ == "__main__":
    asyncio.run(_main(sys.argv[1:]))
