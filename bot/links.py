"""Which link targets may reach a reader: only absolute http(s) URLs with a host."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

# Browsers strip leading and trailing C0 controls and spaces from an href, and remove tabs and newlines anywhere in
# it ("java\nscript:" is a javascript: URL), so any whitespace or control character inside the URL disqualifies it.
_EDGES = "".join(chr(c) for c in range(0x21))
_INSIDE = re.compile(r"[\x00-\x20\x7f-\x9f\s]")
SAFE_SCHEMES = ("http", "https")


def safe_url(url: str | None) -> str | None:
    """`url` (without surrounding spaces) when it is an absolute http:// or https:// URL with a host, else None.

    Rejects javascript:, data:, vbscript: and every other scheme in any letter case, relative and
    protocol-relative URLs, and URLs with whitespace or control characters inside them."""
    if not isinstance(url, str):
        return None
    candidate = url.strip(_EDGES)
    if not candidate or _INSIDE.search(candidate):
        return None
    try:
        parts = urlsplit(candidate)
        host = parts.hostname
    except ValueError:  # e.g. an unclosed IPv6 bracket
        return None
    if parts.scheme.lower() not in SAFE_SCHEMES or not host:
        return None
    return candidate
