"""A plain moto server: no sandbox extensions, no world, on a free port.

For checking the console against an endpoint that implements less than AWS
(`python -m lambdatui_sandbox.baremoto`): prints the server's URL on one line,
then serves until its standard input closes. moto keeps its state per process,
so this runs in a process of its own.
"""

from __future__ import annotations

import sys

from moto.server import ThreadedMotoServer


def main() -> None:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    print(f"http://{host}:{port}", flush=True)
    sys.stdin.read()
    server.stop()


if __name__ == "__main__":
    main()
