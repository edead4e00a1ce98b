"""Committed outputs against a fresh run: the book must never show a stale number.

Text outputs are compared with a tolerance on numbers; images (SVG, PNG, an HTML `<img>`) are
compared only as "an image is here".
"""

from __future__ import annotations

import html
import math
import re

from .cells import Failure, stream_text, strip_ansi, tags

NUMBER = re.compile(
    r"(?<![\w.])[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?(?![\w])|(?<!\w)(?:NaN|nan|-?inf)(?!\w)"
)


def html_to_text(markup: str) -> str:
    markup = re.sub(r"(?is)<(script|style)\b.*?</\1>", " ", markup)
    markup = re.sub(r"(?s)<[^>]+>", " ", markup)
    return html.unescape(markup)


def comparable_outputs(outputs) -> list[str]:
    """The text a reader sees in a cell's outputs, in a form fit for comparing.

    stdout and stderr are joined per stream (the kernel may split and interleave
    them differently from run to run); rich outputs keep their text/plain, HTML
    without an image is reduced to its text, images and SVG become a marker.
    """
    result = []
    for name in ("stdout", "stderr"):
        text = strip_ansi(stream_text(outputs, name))
        if text.strip():
            result.append(f"{name}: {text}")
    for out in outputs:
        kind = out.get("output_type")
        if kind in ("execute_result", "display_data"):
            data = out.get("data", {})
            plain = data.get("text/plain")
            markup = data.get("text/html")
            if isinstance(markup, list):
                markup = "".join(markup)
            if isinstance(plain, list):
                plain = "".join(plain)
            if plain is not None:
                result.append("text: " + strip_ansi(plain))
            elif any(k.startswith("image/") for k in data) or (
                markup is not None and re.search(r"(?i)<(svg|img)\b", markup)
            ):
                result.append("[image]")
            elif markup is not None:
                result.append("html: " + html_to_text(markup))
            else:
                result.append("[" + ",".join(sorted(data)) + "]")
        elif kind == "error":
            result.append("error: " + strip_ansi(out.get("evalue", "")))
    return result


def split_numbers(text: str):
    """Split text into (words, numbers): the words between numbers, whitespace collapsed."""
    words, numbers, last = [], [], 0
    for m in NUMBER.finditer(text):
        words.append(" ".join(text[last : m.start()].split()))
        numbers.append(m.group(0))
        last = m.end()
    words.append(" ".join(text[last:].split()))
    return words, numbers


def to_float(token: str) -> float:
    t = token.lower()
    if t in ("nan",):
        return math.nan
    return float(t)


def texts_match(a: str, b: str, rtol: float = 1e-6, atol: float = 1e-9) -> bool:
    wa, na = split_numbers(a)
    wb, nb = split_numbers(b)
    if wa != wb or len(na) != len(nb):
        return False
    for x, y in zip(na, nb):
        fx, fy = to_float(x), to_float(y)
        if math.isnan(fx) and math.isnan(fy):
            continue
        if not math.isclose(fx, fy, rel_tol=rtol, abs_tol=atol):
            return False
    return True


def first_difference(a: str, b: str) -> tuple[str, str]:
    la, lb = a.splitlines() or [""], b.splitlines() or [""]
    for i in range(max(len(la), len(lb))):
        x = la[i] if i < len(la) else "<nothing>"
        y = lb[i] if i < len(lb) else "<nothing>"
        if not texts_match(x, y):
            return x, y
    return a[:200], b[:200]


def compare_cell(committed, fresh, position: int, rtol: float, atol: float) -> Failure | None:
    if "nocompare" in tags(fresh):
        return None
    old = comparable_outputs(committed.get("outputs", []))
    new = comparable_outputs(fresh.get("outputs", []))
    if len(old) == len(new) and all(texts_match(x, y, rtol, atol) for x, y in zip(old, new)):
        return None
    if not old:
        detail = "the notebook was committed without this cell's output"
    else:
        x, y = first_difference("\n".join(old), "\n".join(new))
        detail = f"committed: {x.strip()[:300]}\nfresh:     {y.strip()[:300]}"
    return Failure(
        "stale",
        position,
        "committed output differs from a fresh run (run `make book` and commit):\n" + detail,
    )
