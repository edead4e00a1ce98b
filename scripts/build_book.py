#!/usr/bin/env python3
"""Export the book (notebooks/*.ipynb with their committed outputs) to static HTML in book/.

  scripts/build_book.py            book/index.html + one page per notebook (JupyterLab look)
  scripts/build_book.py --slides   book/slides/<name>.slides.html, reveal.js slides per notebook

Every script and style the pages load comes from book/_static/, copied from the npm packages
in web/node_modules (reveal.js, MathJax 2, require.js, jQuery, Mermaid): nothing is fetched from a CDN
when the pages are opened, so book/ can be served as it is (python -m http.server, nginx, ...) or
opened from the disk.

A ```mermaid block of a Markdown cell (01's descent loop, 09's forward and backward graphs) is drawn
in the browser, as JupyterLab draws it: the page loads Mermaid's one-file build (a classic script, so a
page opened from file:// draws it too) and nbconvert's own Mermaid code (the lab template's renderer,
the reveal template's `mermaid.initialize`) takes it from a one-line module that hands it over.
"""

from __future__ import annotations

import argparse
import html
import json
import re
import shutil
import sys
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
WEB = ROOT / "web" / "node_modules"
# A code cell cut in two by calc_dl_nb.slides shows its code on one slide and its output on the next.
SLIDE_TAGS = {
    "TagRemovePreprocessor": {
        "enabled": True,
        "remove_input_tags": ["slide-output-only"],
        "remove_all_outputs_tags": ["slide-input-only"],
        "remove_cell_tags": ["check"],
    }
}
# Cells tagged `check` hold the asserts that pin a notebook's numbers: the runner executes them, JupyterLab
# shows them collapsed, and neither the HTML book nor the slides show them.
BOOK_TAGS = {"TagRemovePreprocessor": {"enabled": True, "remove_cell_tags": ["check"]}}
# A web font a reveal.js theme imports from a CDN.
FONT_IMPORT = re.compile(r"@import url\(https?://[^)]*\);?\n?")
# A link from one notebook to another (`[11](11_integrals.ipynb)`) points at the exported page instead.
NOTEBOOK_LINK = re.compile(r"\]\((\d\d_[A-Za-z0-9_]+)\.ipynb(#[^)\s]*)?\)")
# nbconvert's templates import Mermaid as a module from `mermaid_js_url`. The module handed to them gives
# them the Mermaid that the page's classic scripts set up (a data: URL, so it loads from file:// as well as
# over http), or a Mermaid that does nothing on a slide page without diagrams (the reveal template imports
# it on every page).
MERMAID_NOOP = "{ initialize() {}, run() {}, registerLayoutLoaders() {} }"


def mermaid_module(name: str) -> str:
    return "data:text/javascript," + quote(f"export default window.{name} || {MERMAID_NOOP};")


# Loaded (deferred) right after mermaid.min.js, before the templates' module scripts run.
MERMAID_SETUP = r"""// calc_dl: sets up Mermaid for the exported book and slides (written by scripts/build_book.py).
(function () {
  var mermaid = window.mermaid;
  if (!mermaid) return;
  // Mermaid draws every .mermaid element in place at the page's load event unless told not to; the book's
  // pages leave the drawing to the lab template's renderer, which reads each diagram's text (a race with
  // the in-place drawing that replaced that text with an SVG, and the renderer then reported errors).
  mermaid.initialize({ startOnLoad: false });
  // The reveal template calls initialize({ startOnLoad: true }) and leaves the drawing to that in-place
  // run, which measures the labels inside slides that are not shown (display: none): every diagram there
  // came out 0 px wide. The slides get this Mermaid instead, whose initialize draws each diagram in a
  // scratch element of the page (mermaid.render makes one) with 20 px labels, and shows it as an <img> of
  // its SVG, as JupyterLab and the lab template do, so that the slides' text styles cannot resize the
  // labels inside the boxes measured for them.
  var next = 0;
  function image(svg) {
    // An SVG file is XML: void HTML elements closed (<br/>), HTML's named space as a character reference.
    svg = svg.replace(/<(br|hr|img)\b([^>]*?)\/?>/gi, "<$1$2/>").replace(/&nbsp;/g, "&#160;");
    var img = document.createElement("img");
    img.src = "data:image/svg+xml," + encodeURIComponent(svg);
    var width = /max-width:\s*([\d.]+)px/.exec(svg);
    if (width) img.style.width = width[1] + "px";
    img.style.maxWidth = "100%";
    img.alt = "diagram";
    return img;
  }
  async function drawAll() {
    var pres = Array.prototype.slice.call(document.querySelectorAll("pre.mermaid"));
    for (var i = 0; i < pres.length; i++) {
      var pre = pres[i];
      if (pre.dataset.processed) continue;
      var text = pre.textContent.trim();
      try {
        var out = await mermaid.render("calc-dl-mermaid-" + next++, text);
        pre.replaceChildren(image(out.svg));
        pre.dataset.processed = "true";
        if (pre.parentNode) pre.parentNode.classList.add("jp-RenderedMermaid");
      } catch (err) {
        pre.dataset.processed = "error";
        pre.title = String(err);
        if (pre.parentNode) pre.parentNode.classList.add("jp-RenderedMermaid", "jp-mod-warning");
      }
    }
  }
  window.calcDlSlidesMermaid = {
    initialize: function () {
      mermaid.initialize({ startOnLoad: false, themeVariables: { fontSize: "20px" } });
      if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", drawAll);
      else drawAll();
    },
    run: drawAll,
    registerLayoutLoaders: function () {},
  };
})();
"""


def copy_static(book: Path) -> Path:
    static = book / "_static"
    if not WEB.is_dir():
        raise SystemExit("web/node_modules is missing: run scripts/setup.sh --web (make book does)")
    static.mkdir(parents=True, exist_ok=True)

    def tree(src: Path, dst: Path, ignore=None):
        if not dst.exists():
            shutil.copytree(src, dst, ignore=ignore)

    tree(WEB / "reveal.js" / "dist", static / "reveal.js" / "dist")
    tree(WEB / "reveal.js" / "plugin", static / "reveal.js" / "plugin")
    # reveal.js's themes (the slides use `simple`) @import their web fonts from a font CDN: the copies
    # here do without, and fall back to the fonts the theme names after them (Impact, Lato, sans-serif).
    for css in (static / "reveal.js" / "dist" / "theme").glob("*.css"):
        text = css.read_text(encoding="utf-8")
        local = FONT_IMPORT.sub("", text)
        if local != text:
            css.write_text(local, encoding="utf-8")
    # MathJax 2 without its unpacked sources, tests and image / legacy font formats (73 MB -> ~10 MB).
    tree(
        WEB / "mathjax",
        static / "mathjax",
        ignore=shutil.ignore_patterns("unpacked", "test", "png", "*.eot", "*.otf", "*.svg", "*.md"),
    )
    shutil.copy2(WEB / "requirejs" / "require.js", static / "require.js")
    shutil.copy2(WEB / "jquery" / "dist" / "jquery.min.js", static / "jquery.min.js")
    # Mermaid's one-file build (2.6 MB; the ES-module build is 140 files that file:// pages cannot import).
    shutil.copy2(WEB / "mermaid" / "dist" / "mermaid.min.js", static / "mermaid.min.js")
    (static / "mermaid-setup.js").write_text(MERMAID_SETUP)
    (static / "mermaid-stub.mjs").unlink(missing_ok=True)
    return static


def urls(prefix: str, slides: bool = False) -> dict:
    return {
        "require_js_url": f"{prefix}_static/require.js",
        "jquery_url": f"{prefix}_static/jquery.min.js",
        "mathjax_url": f"{prefix}_static/mathjax/MathJax.js?config=TeX-AMS_CHTML-full,Safe",
        "mermaid_js_url": mermaid_module("calcDlSlidesMermaid" if slides else "mermaid"),
        "mermaid_layout_elk_js_url": "",
    }


def with_mermaid(body: str, prefix: str) -> str:
    """A page with a Mermaid diagram loads Mermaid first thing in its <head> (deferred: the two scripts run
    in document order before the templates' module scripts, so `window.mermaid` is set up when they take it)."""
    if 'class="mermaid"' not in body:
        return body
    tags = "".join(f'<script defer src="{prefix}_static/{js}"></script>\n' for js in ("mermaid.min.js", "mermaid-setup.js"))
    return body.replace("<head>", "<head>\n" + tags, 1)


def title_of(nb, fallback: str) -> str:
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("#"):
                    return line.lstrip("#").strip()
    return fallback


def without_checks(nb):
    """`nb` without its `check` cells, so that the slide pagination does not budget room for them."""
    nb.cells = [c for c in nb.cells if "check" not in c.metadata.get("tags", [])]
    return nb


def link_pages(nb, suffix: str) -> None:
    """Markdown links to another notebook of the book point at its exported page (`.html` or `.slides.html`)."""
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            cell.source = NOTEBOOK_LINK.sub(lambda m: f"]({m.group(1)}{suffix}{m.group(2) or ''})", cell.source)


def export(book: Path, slides: bool, src: Path = NOTEBOOKS) -> int:
    import nbformat
    from calc_dl_nb.slides import CSS as SLIDE_CSS
    from calc_dl_nb.slides import paginate
    from nbconvert import HTMLExporter, SlidesExporter
    from traitlets.config import Config

    notebooks = sorted(src.glob("*.ipynb"))
    copy_static(book)
    chapters = []
    for path in notebooks:
        nb = nbformat.read(path, as_version=4)
        name = path.stem
        title = title_of(nb, name)
        link_pages(nb, ".slides.html" if slides else ".html")
        if slides:
            out_dir = book / "slides"
            out_dir.mkdir(parents=True, exist_ok=True)
            exporter = SlidesExporter(**urls("../", slides=True), reveal_url_prefix="../_static/reveal.js", config=Config(SLIDE_TAGS))
            # Slides that fit the frame (calc_dl_nb.slides): cut by headings and estimated heights.
            body, _ = exporter.from_notebook_node(paginate(without_checks(nb)), resources={"metadata": {"name": title}})
            body = with_mermaid(body.replace("</head>", SLIDE_CSS + "</head>", 1), "../")
            out = out_dir / f"{name}.slides.html"
        else:
            exporter = HTMLExporter(template_name="lab", **urls(""), config=Config(BOOK_TAGS))
            body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": title}})
            body = with_mermaid(body, "")
            out = book / f"{name}.html"
        out.write_text(body, encoding="utf-8")
        print(f"  {path} -> {out}")
        chapters.append((name, title))
    if not slides:
        write_index(book, chapters)
    print(f"{len(notebooks)} notebooks exported to {(book / 'slides') if slides else book}")
    return 0


def write_index(book: Path, chapters: list[tuple[str, str]]) -> None:
    items = "\n".join(
        f'  <li><a href="{html.escape(n)}.html">{html.escape(t)}</a>'
        f' <small>(<a href="slides/{html.escape(n)}.slides.html">slides</a>)</small></li>'
        for n, t in chapters
    ) or "  <li>No notebooks yet.</li>"
    (book / "index.html").write_text(
        f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>calc_dl: calculus for deep learning</title>
<style>body{{font-family:system-ui,sans-serif;max-width:46rem;margin:3rem auto;line-height:1.5;padding:0 1rem}}</style>
</head><body>
<h1>calc_dl: calculus for deep learning</h1>
<p>The notebooks of the book, with the outputs of their last run (<code>make book</code>).
Slides exist after <code>make slides</code>.</p>
<ol>
{items}
</ol>
</body></html>
""",
        encoding="utf-8",
    )
    (book / "chapters.json").write_text(json.dumps(chapters, indent=1))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--slides", action="store_true", help="reveal.js slides per notebook into book/slides/")
    ap.add_argument("--out", default=str(ROOT / "book"))
    ap.add_argument("--src", default=str(NOTEBOOKS), help="folder of notebooks (default notebooks/)")
    args = ap.parse_args()
    return export(Path(args.out), args.slides, Path(args.src))


if __name__ == "__main__":
    sys.exit(main())
