"""``requests``, imported without a character-set detector. Import it from here.

WORKAROUND: requests imports a detector (charset_normalizer or chardet) only
to guess the encoding of bodies that declare none, for ``Response.text``. We
read bytes and parse JSON ourselves, and the detector, with every CJK codec it
loads, would stay ~2 MB resident in a tray app all day (docs/performance.md).
Marked absent, requests falls back to UTF-8 (requests 2.32,
``compat._resolve_char_detection``) after one warning, silenced here. In a
process that already loaded a detector, nothing changes.
"""

from __future__ import annotations

import sys
import warnings

for _detector in ("charset_normalizer", "chardet"):
    sys.modules.setdefault(_detector, None)  # type: ignore[arg-type]

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message="Unable to find acceptable character detection")
    import requests
    import requests.adapters

__all__ = ["requests"]
