"""Debian's Chromium, as the browser tests and scripts/screenshots.py drive it through Playwright.

Playwright's own browser download needs the internet; the system package
does not, so every browser here is launched with ``executable_path``.
"""

from __future__ import annotations

import os

CHROMIUM = os.environ.get("MONITOR_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
MISSING = (
    f"Chromium is not at {CHROMIUM}: install it with `apt-get install -y chromium`"
    " (or point MONITOR_CHROMIUM at it)"
)
