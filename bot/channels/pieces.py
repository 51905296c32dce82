"""Cutting text into message-sized pieces, shared by the channels' renderers (pure)."""

from __future__ import annotations

from typing import Callable


def pieces_that_fit(text: str, limit: int, escape: Callable[[str], str]) -> list[str]:
    """Plain `text` cut into pieces whose escaped form (`escape`: the channel's markup escaping) fits `limit`: at
    line breaks, else spaces, else anywhere."""
    if len(escape(text)) <= limit:
        return [text]
    for separator in ("\n", " "):
        parts = text.split(separator)
        if len(parts) > 1:
            pieces, current = [], ""
            for part in parts:
                candidate = f"{current}{separator}{part}" if current else part
                if current and len(escape(candidate)) > limit:
                    pieces.append(current)
                    candidate = part
                current = candidate
            pieces.append(current)
            return [small for piece in pieces for small in pieces_that_fit(piece, limit, escape)]
    # One long word: cut the raw text (never an escaped entity) so that each escaped piece fits.
    pieces, current = [], ""
    for char in text:
        if len(escape(current + char)) > limit:
            pieces.append(current)
            current = ""
        current += char
    return pieces + [current] if current else pieces
