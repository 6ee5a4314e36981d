"""``requests`` and ``urllib3``, imported lighter than they would be. Import them from here.

WORKAROUND: requests imports a detector (charset_normalizer or chardet) only
to guess the encoding of bodies that declare none, for ``Response.text``. We
read bytes and parse JSON ourselves, and the detector, with every CJK codec it
loads, would stay ~2 MB resident in a tray app all day (docs/performance.md).
Marked absent, requests falls back to UTF-8 (requests 2.32,
``compat._resolve_char_detection``) after one warning, silenced here. In a
process that already loaded a detector, nothing changes.
"""

from __future__ import annotations

import importlib.util
import os
import sys
import types
import warnings

for _detector in ("charset_normalizer", "chardet"):
    sys.modules.setdefault(_detector, None)  # type: ignore[arg-type]


def _urllib3_http2_without_metadata() -> None:
    """Let urllib3 load without ``importlib.metadata``.

    WORKAROUND: urllib3 2.x imports its opt-in HTTP/2 package on every import,
    whose ``__init__`` imports ``importlib.metadata`` (zipfile, csv, lzma...:
    ~2 MB resident) only to check h2's version when HTTP/2 is switched on. We
    never switch it on. A stand-in package with the same path lets
    ``urllib3.http2.probe`` load as usual, without that import.
    """
    if "urllib3" in sys.modules:
        return
    spec = importlib.util.find_spec("urllib3")
    if spec is None or spec.origin is None:
        return
    stand_in = types.ModuleType("urllib3.http2")
    stand_in.__path__ = [os.path.join(os.path.dirname(spec.origin), "http2")]
    stand_in.__package__ = "urllib3.http2"
    sys.modules.setdefault("urllib3.http2", stand_in)


def _idna_on_first_use() -> None:
    """Load ``idna`` (its tables are ~0.2 MB) only when a desk's host name needs it.

    WORKAROUND: ``requests.packages`` imports idna at once to alias it, but
    requests uses it only for host names that are not plain ASCII
    (``models._get_idna_encoded_host``). A stand-in takes its place and, at
    the first attribute anyone asks of it, puts the real package there and
    answers from it. (``importlib.util.LazyLoader`` would be the tool, but on
    Python 3.11 a second ``import idna`` already loads it.)
    """
    if "idna" in sys.modules or importlib.util.find_spec("idna") is None:
        return
    stand_in = types.ModuleType("idna")

    def load(name: str) -> object:
        if sys.modules.get("idna") is stand_in:
            del sys.modules["idna"]
        return getattr(importlib.import_module("idna"), name)

    stand_in.__getattr__ = load  # type: ignore[method-assign]
    sys.modules["idna"] = stand_in


def _certifi_without_resources() -> None:
    """Let requests find certifi's bundle without ``importlib.resources``.

    WORKAROUND: requests asks ``certifi.where()`` at import; certifi answers
    through ``importlib.resources`` (~0.3 MB resident with what it loads). The
    file is beside the module: a stand-in gives the same path. The tray checks
    certificates against the operating system's store (truststore) anyway.
    """
    if "certifi" in sys.modules:
        return
    spec = importlib.util.find_spec("certifi")
    if spec is None or spec.origin is None:
        return
    bundle = os.path.join(os.path.dirname(spec.origin), "cacert.pem")
    if not os.path.isfile(bundle):
        return
    stand_in = types.ModuleType("certifi")
    stand_in.where = lambda: bundle  # type: ignore[attr-defined]
    sys.modules["certifi"] = stand_in


_urllib3_http2_without_metadata()
_idna_on_first_use()
_certifi_without_resources()

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message="Unable to find acceptable character detection")
    import requests
    import requests.adapters
    import urllib3

__all__ = ["requests", "urllib3"]
