"""What the benchmark scripts share: a sandbox in another process."""

from __future__ import annotations

import os
import re
import subprocess
import sys

CREDS = {"AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench"}


def start_sandbox(*args: str) -> tuple[subprocess.Popen[str], str]:
    """`lambdatui sandbox --port 0 ARGS` in another process, and its endpoint URL."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")} | CREDS
    proc = subprocess.Popen(
        [sys.executable, "-m", "lambdatui", "sandbox", "--port", "0", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert proc.stdout is not None
    for line in proc.stdout:
        match = re.search(r"AWS_ENDPOINT_URL=['\"]?(http://[^'\"\s]+)", line)
        if match:
            return proc, match[1]
    raise SystemExit("the sandbox did not start")
