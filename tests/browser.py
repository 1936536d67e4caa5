"""What every test in Debian's Chromium shares: where the browser is, how it is
started, and where screenshots go (a temporary folder, or $WIDGET_SCREENSHOTS:
`make screenshots` sets it to docs/ for the README)."""

import os
import tempfile
from pathlib import Path

SCREENSHOTS = Path(os.environ.get("WIDGET_SCREENSHOTS") or tempfile.mkdtemp(prefix="widget-"))

# Debian's package: a test tool's own browser download cannot work here.
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
