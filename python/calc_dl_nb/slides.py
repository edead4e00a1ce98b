"""Slides that fit a projector: the notebook cut into reveal.js slides of at most one frame each.

nbconvert makes one slide per `slideshow` mark and lets it run past the frame. Here each heading
starts a slide, and the cells after it are packed into slides by their estimated height at the
deck's text sizes (CSS below): a long Markdown cell is split between paragraphs, a code cell whose
output does not fit beside its code shows its output on the next slide, a long code cell or output
is continued on the next slide, and a figure with a slide rendition (calc_dl's `Figure::slide_svg`)
shows each of its panels alone, enlarged to the frame. The browser check
(tests/browser/slides.test.js) measures the result in Chromium at 1280x720.
"""

from __future__ import annotations

import base64
import copy
import re

from .cells import joined

# reveal.js's logical slide is 960 x 700 (nbconvert's default); keep a margin for padding and controls.
WIDTH, BUDGET = 880, 600
TEXT_PX, CODE_PX = 24, 22
LINE = TEXT_PX * 1.5
CODE_LINE = CODE_PX * 1.35
FIGURE_MAX_PX = 520

# Text readable at the back of a room: nothing below 20 px on a 1280 x 720 projector.
CSS = f"""
<style>
.reveal .slides section {{ font-size: {TEXT_PX}px; text-align: left; }}
.reveal .slides section p, .reveal .slides section li, .reveal .slides section td,
.reveal .slides section th, .reveal .slides section summary {{ font-size: {TEXT_PX}px; line-height: 1.5; }}
.reveal .slides section pre, .reveal .slides section code, .reveal .slides section pre span,
.reveal .slides section .jp-RenderedText pre {{ font-size: {CODE_PX}px !important; line-height: 1.35; }}
.reveal .slides section h1 {{ font-size: 44px; }} .reveal .slides section h2 {{ font-size: 36px; }}
.reveal .slides section h3, .reveal .slides section h4 {{ font-size: 30px; }}
.reveal .slides section img {{ max-height: {FIGURE_MAX_PX}px; max-width: 100%; width: auto; height: auto; }}
.reveal .slides section img.calc-dl-slide-figure {{ display: block; margin: 0 auto; }}
.reveal .slides section table {{ font-size: {TEXT_PX - 2}px; }}
.reveal .slides section .jp-InputPrompt, .reveal .slides section .jp-OutputPrompt {{ display: none; }}
</style>
"""

WIDE = re.compile(r"[\u1100-\u11ff\u3000-\u9fff\uac00-\ud7a3\uff00-\uffef]")


def text_width(text: str, px: float) -> float:
    wide = len(WIDE.findall(text))
    return (wide + 0.55 * (len(text) - wide)) * px


def wrapped_lines(line: str, px: float, per: float) -> int:
    return max(1, int(text_width(line, px) // per) + 1)


def markdown_height(source: str) -> float:
    height, in_math = 20.0, False
    for line in source.splitlines():
        s = line.strip()
        if in_math:
            in_math = not s.endswith("$$")
            height += 40
        elif s.startswith("$$"):
            in_math = s.count("$$") == 1
            height += 70 if not in_math else 30
        elif s.startswith("#"):
            height += 70
        elif s.startswith("|"):
            cells = [c for c in s.strip("|").split("|")]
            per = WIDTH / max(1, len(cells))
            height += 20 + LINE * max(wrapped_lines(c.strip(), TEXT_PX, per) for c in cells)
        elif not s:
            height += 12
        elif re.match(r"([-*+]|\d+\.)\s", s):  # a list item: indented by the bullet's room
            height += LINE * wrapped_lines(s, TEXT_PX, WIDTH - 48) + 4
        else:
            height += LINE * wrapped_lines(s, TEXT_PX, WIDTH)
    return height


def code_height(source: str) -> float:
    lines = source.rstrip("\n").splitlines() or [""]
    return 30 + CODE_LINE * sum(wrapped_lines(s, CODE_PX * 1.1, WIDTH) for s in lines)


def output_height(out) -> float:
    kind = out.get("output_type")
    if kind == "stream":
        text = out.get("text", "")
        text = joined(text)
        return 20 + CODE_LINE * sum(wrapped_lines(s, CODE_PX * 1.1, WIDTH) for s in text.rstrip("\n").splitlines())
    data = out.get("data", {})
    html = data.get("text/html")
    if html is not None:
        html = joined(html)
        m = re.search(r'<img [^>]*width="(\d+)" height="(\d+)"', html)
        if m:
            w, h = int(m.group(1)), int(m.group(2))
            return 20 + min(FIGURE_MAX_PX, h * min(1.0, WIDTH / w))
        return table_height(html)
    plain = data.get("text/plain", "")
    plain = joined(plain)
    return 20 + CODE_LINE * max(1, len(plain.splitlines()))


def table_height(html: str) -> float:
    """An HTML table's height: each row as tall as its cell that wraps to the most lines in an equal
    share of the width (long headers wrap to three or four lines)."""
    rows = re.findall(r"<tr\b.*?</tr>", html, flags=re.S)
    height = 40 + (48 if "<caption" in html else 0)
    for row in rows:
        cells = [re.sub(r"<[^>]+>", "", c) for c in re.findall(r"<t[hd]\b[^>]*>(.*?)</t[hd]>", row, flags=re.S)]
        per = WIDTH / max(1, len(cells)) - 20
        lines = max((wrapped_lines(c.strip(), TEXT_PX - 2, per) for c in cells), default=1)
        height += 14 + 34 * lines
    return height


def split_list(block: str) -> list[str]:
    """A Markdown list taller than a slide as several lists, cut between items."""
    items = re.split(r"\n(?=[-*+] |\d+\. )", block)
    if len(items) < 2 or not re.match(r"([-*+]|\d+\.) ", items[0]) or markdown_height(block) <= BUDGET - 80:
        return [block]
    parts, current = [], []
    for item in items:
        if current and markdown_height("\n".join(current + [item])) > BUDGET - 80:
            parts.append("\n".join(current))
            current = []
        current.append(item)
    return parts + ["\n".join(current)]


def split_table(block: str) -> list[str]:
    """A Markdown table taller than a slide as several tables, each with the header again."""
    lines = block.splitlines()
    if len(lines) < 3 or not all(l.strip().startswith("|") for l in lines):
        return [block]
    head, rows = lines[:2], lines[2:]
    parts, current = [], []
    for row in rows:
        if current and markdown_height("\n".join(head + current + [row])) > BUDGET - 80:
            parts.append("\n".join(head + current))
            current = []
        current.append(row)
    return parts + ["\n".join(head + current)]


def split_markdown(source: str) -> list[str]:
    """Paragraphs (a display formula or a list stays whole, a long table is cut by rows); a heading
    starts its own piece."""
    pieces, current = [], []
    blocks = [part for block in re.split(r"\n\s*\n", source.strip())
              for table in split_table(block) for part in split_list(table)]
    for block in blocks:
        if block.lstrip().startswith("#") and current:
            pieces.append("\n\n".join(current))
            current = []
        current.append(block)
        if not block.lstrip().startswith("#"):
            pieces.append("\n\n".join(current))
            current = []
    if current:
        pieces.append("\n\n".join(current))
    return pieces


PANELS = re.compile(r'\sdata-calc-dl-panels="([^"]+)"')


def slide_figures(out) -> list:
    """A figure that carries a slide rendition (calc_dl sends it as `image/svg+xml` beside the
    notebook's `text/html`) as one output per panel: an <img> of that panel alone, enlarged to fill
    the slide's figure frame, so its text shows about twice the notebook's size. Other outputs as they are."""
    data = out.get("data", {})
    svg = data.get("image/svg+xml")
    svg = joined(svg)
    found = PANELS.search(svg or "")
    if not found or "text/html" not in data:
        return [out]
    html = data["text/html"]
    html = joined(html)
    alt = re.search(r'\balt="([^"]*)"', html)
    root = re.search(r"<svg\b[^>]*>", svg)
    parts = []
    for rect in found.group(1).split(";"):
        x, y, w, h = (float(v) for v in rect.split(","))
        tag = PANELS.sub("", root.group(0))
        for name, value in (("width", f"{w:g}"), ("height", f"{h:g}"), ("viewBox", f"{x:g} {y:g} {w:g} {h:g}")):
            tag = re.sub(rf'\s{name}="[^"]*"', f' {name}="{value}"', tag)
        panel = svg[: root.start()] + tag + svg[root.end():]
        scale = min(WIDTH / w, FIGURE_MAX_PX / h)
        dw, dh = round(w * scale), round(h * scale)
        src = base64.b64encode(panel.encode()).decode()
        part = copy.deepcopy(out)
        part["data"] = {"text/html": f'<img src="data:image/svg+xml;base64,{src}" width="{dw}" height="{dh}" '
                                     f'alt="{alt.group(1) if alt else ""}" class="calc-dl-slide-figure" '
                                     f'style="width:{dw}px;height:{dh}px;max-width:none;max-height:none"/>'}
        parts.append(part)
    return parts


def split_output(out) -> list:
    """An HTML table output taller than a slide as several outputs of fewer rows (header kept)."""
    html = out.get("data", {}).get("text/html")
    html = joined(html)
    if output_height(out) <= BUDGET or not html or "<tbody" not in html:
        return [out]
    head, body = html.split("<tbody", 1)
    body_open, rest = body.split(">", 1)
    rows = re.findall(r"<tr\b.*?</tr>", rest.split("</tbody>")[0], flags=re.S)
    tail = rest.split("</tbody>", 1)[1] if "</tbody>" in rest else "</table>"
    per = max(1, int((BUDGET - 100) // 48) - head.count("<tr"))
    parts = []
    for i in range(0, len(rows), per):
        part = copy.deepcopy(out)
        part["data"]["text/html"] = f"{head}<tbody{body_open}>{''.join(rows[i:i + per])}</tbody>{tail}"
        part["data"].pop("text/plain", None)
        parts.append(part)
    return parts


def chunks(lines: list[str], height_of, budget: float) -> list[list[str]]:
    out, current, used = [], [], 0.0
    for line in lines:
        h = height_of(line)
        if current and used + h > budget:
            out.append(current)
            current, used = [], 0.0
        current.append(line)
        used += h
    return out + ([current] if current else [])


def paginate(nb):
    """A copy of `nb` whose cells carry `slideshow` marks (and input/output tags) that fit each slide."""
    nb = copy.deepcopy(nb)
    blocks = []  # (cell, height, heading level or 0)
    for cell in nb.cells:
        cell.metadata.pop("slideshow", None)
        if cell.cell_type == "markdown":
            for piece in split_markdown(cell.source):
                c = copy.deepcopy(cell)
                c.source = piece
                level = len(piece) - len(piece.lstrip("#")) if piece.startswith("#") else 0
                blocks.append((c, markdown_height(piece), level))
        elif cell.cell_type == "code":
            cell.outputs = [part for o in cell.get("outputs", []) for part in slide_figures(o)]
            code = code_height(cell.source)
            outs = sum(output_height(o) for o in cell.get("outputs", []))
            if code + outs <= BUDGET:
                blocks.append((cell, code + outs, 0))
                continue
            lines = cell.source.splitlines()
            for part in chunks(lines, lambda s: code_height(s) - 30, BUDGET - 30):
                c = copy.deepcopy(cell)
                c.source, c.outputs = "\n".join(part), []
                c.metadata.setdefault("tags", []).append("slide-input-only")
                blocks.append((c, code_height(c.source), 0))
            outputs = [piece for o in cell.get("outputs", []) for piece in split_output(o)]
            for part in chunks(outputs, output_height, BUDGET):
                c = copy.deepcopy(cell)
                c.outputs = part
                c.metadata.setdefault("tags", []).append("slide-output-only")
                blocks.append((c, sum(output_height(o) for o in part), 0))
        else:
            blocks.append((cell, 0, 0))
    cells, used = [], None
    for cell, height, level in blocks:
        if used is None or level in (1, 2) or used + height > BUDGET:
            cell.metadata["slideshow"] = {"slide_type": "slide" if used is None or level in (1, 2) else "subslide"}
            used = height
        elif level >= 3:
            cell.metadata["slideshow"] = {"slide_type": "subslide"}
            used = height
        else:
            cell.metadata["slideshow"] = {"slide_type": "-"}
            used += height
        cells.append(cell)
    nb.cells = cells
    return nb
