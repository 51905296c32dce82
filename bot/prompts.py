"""The language model's prompt templates: `prompts/<purpose>.<lang>.txt`, read at run time so staff can edit them."""

from __future__ import annotations

import re
import threading
from pathlib import Path

from bot.i18n import UI_LANGUAGES, ui_language

PURPOSES = ("system", "answer", "condense", "clarify")
PLACEHOLDER_RE = re.compile(r"\{(history|passages|question|clarify)\}")
PACKAGE_DIR = Path(__file__).resolve().parent


def bundled_prompts(package_dir: Path = PACKAGE_DIR) -> Path:
    """The prompts shipped with the code: inside the package in an installed wheel (`bot/prompts`, see
    pyproject's force-include), else `prompts/` at the top of a checkout."""
    inside = package_dir / "prompts"
    return inside if inside.is_dir() else package_dir.parent / "prompts"


class Prompts:
    """Reads `<purpose>.<lang>.txt` from one folder; a file is read again when it changed on disk."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self._cache: dict[Path, tuple[float, str]] = {}
        self._lock = threading.Lock()

    def missing(self) -> list[str]:
        """The files this folder lacks (every purpose in every interface language is needed)."""
        return [f"{p}.{l}.txt" for p in PURPOSES for l in UI_LANGUAGES if not (self.folder / f"{p}.{l}.txt").is_file()]

    def text(self, purpose: str, lang: str) -> str:
        """The template of `purpose` in the catalogue language of `lang` (Danish askers get Bokmål's)."""
        if purpose not in PURPOSES:
            raise ValueError(f"unknown prompt purpose {purpose!r}; one of {', '.join(PURPOSES)}")
        path = self.folder / f"{purpose}.{ui_language(lang)}.txt"
        mtime = path.stat().st_mtime  # FileNotFoundError names the file staff must restore
        with self._lock:
            cached = self._cache.get(path)
            if cached and cached[0] == mtime:
                return cached[1]
        text = path.read_text("utf-8").strip()
        with self._lock:
            self._cache[path] = (mtime, text)
        return text

    def render(self, purpose: str, lang: str, **values: str) -> str:
        """The template with its known placeholders filled in; any other braces stay as written."""
        return fill(self.text(purpose, lang), **values)


def fill(template: str, **values: str) -> str:
    """Replace `{history}`, `{passages}`, `{question}` and `{clarify}` in one pass (a value is never re-read as a
    template, so a passage holding "{question}" stays as it is)."""
    return PLACEHOLDER_RE.sub(lambda m: values.get(m.group(1), ""), template)
