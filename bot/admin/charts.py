"""Charts as server-rendered SVG (no script, no style attributes: the pages' CSP allows neither inline)."""

from __future__ import annotations

from html import escape

from markupsafe import Markup

PALETTE = ("#2f6f8f", "#e0a030", "#5a9e5a", "#b5485d", "#7a67b0", "#8a8a8a")
FONT = 'font-family="system-ui, sans-serif" font-size="11"'


def _text(x: float, y: float, text: str, anchor: str = "start", extra: str = "") -> str:
    return f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" {FONT} fill="#1d2733"{extra}>{escape(text)}</text>'


def stacked_bars(title: str, columns: list[tuple[str, dict[str, int]]], series: list[str], empty: str) -> Markup:
    """One bar per column (e.g. a day), stacked by series (e.g. channel), with a legend; `columns` = (label, counts)."""
    width, height, left, bottom, top = 720, 240, 34, 36, 28
    plot_w, plot_h = width - left - 10, height - bottom - top
    peak = max((sum(c.values()) for _, c in columns), default=0)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
             f'aria-label="{escape(title)}" class="chart"><title>{escape(title)}</title>']
    if not peak:
        parts.append(_text(width / 2, height / 2, empty, "middle"))
        return Markup("".join(parts) + "</svg>")
    step = plot_w / max(len(columns), 1)
    for tick in sorted({0, peak // 2, peak}):
        y = top + plot_h - plot_h * tick / peak
        parts.append(f'<line x1="{left}" x2="{width - 10}" y1="{y:.1f}" y2="{y:.1f}" stroke="#dde3ea"/>')
        parts.append(_text(left - 4, y + 4, str(tick), "end"))
    for i, (label, counts) in enumerate(columns):
        x, y = left + i * step + step * 0.15, top + plot_h
        for s, name in enumerate(series):
            value = counts.get(name, 0)
            if value:
                h = plot_h * value / peak
                y -= h
                parts.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{step * 0.7:.1f}" height="{h:.1f}" '
                             f'fill="{PALETTE[s % len(PALETTE)]}"><title>{escape(label)} {escape(name)}: {value}'
                             f'</title></rect>')
        if len(columns) <= 16 or i % max(len(columns) // 8, 1) == 0:
            parts.append(_text(x + step * 0.35, height - bottom + 14, label, "middle"))
    for s, name in enumerate(series):
        x = left + s * 110
        parts.append(f'<rect x="{x}" y="6" width="10" height="10" fill="{PALETTE[s % len(PALETTE)]}"/>')
        parts.append(_text(x + 14, 15, name))
    return Markup("".join(parts) + "</svg>")


def bars(title: str, items: list[tuple[str, float]], empty: str, percent: bool = False, width: int = 720) -> Markup:
    """Horizontal bars, one per (label, value), largest first as given; `width` in SVG units (text stays 11)."""
    row, label_w = 22, width * 0.36
    height = max(row * len(items), row) + 12
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
             f'aria-label="{escape(title)}" class="chart"><title>{escape(title)}</title>']
    peak = max((v for _, v in items), default=0)
    if not peak:
        parts.append(_text(width / 2, height / 2 + 4, empty, "middle"))
        return Markup("".join(parts) + "</svg>")
    for i, (label, value) in enumerate(items):
        y = 6 + i * row
        w = (width - label_w - 60) * value / (100 if percent else peak)
        shown = f"{value:.0f} %" if percent else f"{value:g}"
        parts.append(_text(label_w - 6, y + 13, label[: int(label_w / 6)], "end"))
        parts.append(f'<rect x="{label_w}" y="{y + 2}" width="{max(w, 1):.1f}" height="{row - 8}" '
                     f'fill="{PALETTE[i % len(PALETTE)]}"/>')
        parts.append(_text(label_w + max(w, 1) + 6, y + 13, shown))
    return Markup("".join(parts) + "</svg>")
