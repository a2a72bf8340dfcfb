"""Render a preview page with headless Chromium into a small PNG (what `make screenshot` runs for the
README's picture of `out/demo/preview.html`).

Usage: python examples/screenshot.py PAGE.html OUT.png [--width 1200] [--height 1500] [--scale 0.6]
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from PIL import Image


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("page", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--width", type=int, default=1200)
    parser.add_argument("--height", type=int, default=1500)
    parser.add_argument("--scale", type=float, default=0.6, help="shrink the shot by this factor")
    args = parser.parse_args()
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        print("screenshot: needs Chromium (apt-get install chromium)", file=sys.stderr)
        return 2
    if not args.page.is_file():
        print(f"screenshot: {args.page} does not exist (run make demo first)", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        shot = Path(tmp) / "shot.png"
        subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                        "--disable-background-networking", "--disable-component-update", "--disable-sync",
                        "--disable-dev-shm-usage", "--hide-scrollbars", f"--user-data-dir={tmp}/profile",
                        f"--window-size={args.width},{args.height}", f"--screenshot={shot}",
                        args.page.resolve().as_uri()], capture_output=True, timeout=120, check=True)
        img = Image.open(shot).convert("RGB")
        small = img.resize((round(img.width * args.scale), round(img.height * args.scale)), Image.LANCZOS)
        args.out.parent.mkdir(parents=True, exist_ok=True)
        small.quantize(colors=256, method=Image.Quantize.MEDIANCUT).save(args.out, optimize=True)
    print(args.out.resolve())
    return 0


if __name__ == "__main__":
    sys.exit(main())
