"""`import augkit` stays light and offline."""

from __future__ import annotations

import subprocess
import sys


def test_import_does_not_pull_heavy_libraries() -> None:
    code = (
        "import sys, augkit; "
        "heavy = [m for m in ('torch', 'albumentations', 'cv2', 'nltk', 'transformers') if m in sys.modules]; "
        "print(heavy)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_image_package_is_lazy_too() -> None:
    code = "import sys, augkit.image; print('albumentations' in sys.modules, 'cv2' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False False"


def test_text_views_never_import_torch_or_image_libraries() -> None:
    code = (
        "import sys, augkit; vg = augkit.text.eda(seed=0); vg('The quick brown fox jumps.', index=0); "
        "print([m for m in ('torch', 'albumentations', 'cv2', 'transformers') if m in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
