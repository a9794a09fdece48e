"""Opened PKCS#12 files, kept for the process: opening one costs 60-90 ms (the file's
key derivation and the key's parsing), and the submission cron signs with the same
company certificate at every run, every minute.

An entry is found by a digest of the file *and* its password, so another file or
password is another entry and nothing stale is ever used; refusals are not kept. The
signer checks the certificate's validity at each signing time (signing_common), so the
description made when the file was opened is never relied on for that.
"""

import hashlib
import threading
from collections import OrderedDict

from . import certificate

_KEPT = 8  # certificates: a few companies per process
_opened = OrderedDict()
_lock = threading.Lock()


def load_pkcs12(data, password):
    """``certificate.load_pkcs12(data, password)``, opened once per process."""
    secret = password.encode("utf-8") if isinstance(password, str) else (password or b"")
    key = hashlib.sha256(hashlib.sha256(data or b"").digest() + secret).digest()
    with _lock:
        loaded = _opened.get(key)
        if loaded is not None:
            _opened.move_to_end(key)
            return loaded
    loaded = certificate.load_pkcs12(data, password)  # CertificateError: nothing kept
    with _lock:
        _opened[key] = loaded
        while len(_opened) > _KEPT:
            _opened.popitem(last=False)
    return loaded


def forget():
    """Drop every opened certificate (tests; a process that wants its keys gone)."""
    with _lock:
        _opened.clear()
