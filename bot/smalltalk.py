"""Greetings, thanks and "what can you do" messages, answered without retrieval."""

from __future__ import annotations

import re

GREETING = re.compile(
    r"^(hei+|hallo|heisann|hey|hej+|hejsan|tjena|tja|morn|god ?(morgon|morgen|dag|kveld|kv[äa]ll)|hi|hello|halla|/start)\b",
    re.I,
)
THANKS = re.compile(r"^(takk|tusen takk|takk skal du ha|tack|tack så mycket|stort tack|thanks|thank you)\b", re.I)
CAPABILITIES = re.compile(
    r"(hva|kva|vad) kan (du|ni)|hva gjør du|kva gjer du|vad gör du|hvem er du|kven er du|vem är du|"
    r"what can you do|who are you|^/help\b|^hjelp\b|^hjälp\b|^help\b|(hvordan fungerer|korleis fungerer|hur fungerar|hur funkar) (du|det her|detta|veiviser)\b",
    re.I,
)


def classify(text: str) -> str | None:
    """'greeting', 'thanks', 'capabilities' or None for a real question."""
    cleaned = text.strip().lower()
    if CAPABILITIES.search(cleaned) and len(cleaned.split()) <= 8:
        return "capabilities"
    if len(cleaned.split()) > 5:
        return None
    if GREETING.match(cleaned):
        return "greeting"
    if THANKS.match(cleaned):
        return "thanks"
    return None
