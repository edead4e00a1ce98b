// The book's Mermaid diagrams (01's descent loop, 09's forward and backward graphs) as a learner sees them:
// drawn in JupyterLab from `make lab`, in the exported HTML book and in the slides (scripts/build_book.py,
// Mermaid from web/node_modules, nothing fetched from outside). For each ```mermaid block of a notebook
// file, the page must show one drawn diagram (an SVG with a real size) holding the block's labels; a
// failure names the notebook, the diagram and what the page showed.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { NOTEBOOKS, OPEN_NOTEBOOK, closeLab, openLab, openNotebook, shutdownKernels } from './lab.js';
import { openBook } from './slides.js';

const WITH_DIAGRAMS = ['01_why_calculus.ipynb', '09_chain_rule_backprop.ipynb'];

/**
 * The ```mermaid blocks of a notebook's Markdown cells, in order: the cell's index, the block's text,
 * the labels it draws (the quoted node and edge texts) and a name for messages.
 */
export function mermaidBlocks(path) {
  const nb = JSON.parse(readFileSync(path, 'utf8'));
  const blocks = [];
  nb.cells.forEach((cell, index) => {
    if (cell.cell_type !== 'markdown') return;
    const source = [].concat(cell.source).join('');
    for (const m of source.matchAll(/^```mermaid[^\n]*\n([\s\S]*?)^```/gm)) {
      const text = m[1];
      const labels = [...text.matchAll(/"([^"]+)"/g)].map((l) => l[1]);
      const n = blocks.length + 1;
      blocks.push({ cell: index, text, labels, name: `diagram ${n} (cell ${index}, ${text.split('\n')[0].trim()}: "${labels[0] ?? ''}" ...)` });
    }
  });
  return blocks;
}

/** The text an SVG shows, with entities and spaces evened out (Mermaid puts labels in <foreignObject> HTML). */
function svgText(svg) {
  return svg.replace(/<style[\s\S]*?<\/style>/g, ' ').replace(/<[^>]+>/g, ' ')
    .replace(/&amp;/g, '&').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'")
    .replace(/\s+/g, ' ');
}

/** What of the block's labels a drawn SVG does not show. */
function missingLabels(block, svg) {
  const text = svgText(svg).replace(/\s+/g, '');
  return block.labels.filter((l) => !text.includes(l.replace(/\s+/g, '')));
}

/**
 * Checks the diagrams found on a page against the blocks of the file: as many drawn as written, each with
 * a real size and the block's labels. `drawn` is [{ ok, width, height, svg, why }] in document order.
 */
function assertDrawn(where, blocks, drawn) {
  const problems = [];
  blocks.forEach((b, i) => {
    const d = drawn[i];
    if (!d) { problems.push(`${where}: ${b.name} is not drawn (the page shows ${drawn.length} of ${blocks.length})`); return; }
    if (!d.ok) { problems.push(`${where}: ${b.name} did not draw: ${d.why}`); return; }
    if (!(d.width > 20 && d.height > 10)) problems.push(`${where}: ${b.name} is drawn ${d.width}x${d.height} px`);
    const missing = missingLabels(b, d.svg);
    if (missing.length) problems.push(`${where}: ${b.name} lacks the labels ${JSON.stringify(missing)}`);
  });
  if (drawn.length > blocks.length) problems.push(`${where}: ${drawn.length} diagrams drawn for ${blocks.length} blocks`);
  assert.deepEqual(problems, []);
}

/** Reads a diagram back from a page element holding Mermaid's output: an <img> of an SVG, or an inline <svg>. */
async function readDiagram(handle) {
  return handle.evaluate(async (el) => {
    if (el.classList.contains('jp-mod-warning')) return { ok: false, why: `Mermaid reported: ${el.textContent.trim().slice(0, 200)}` };
    const img = el.querySelector('img');
    if (img) {
      if (!img.complete) await new Promise((r) => { img.onload = r; img.onerror = r; setTimeout(r, 5000); });
      const src = img.getAttribute('src') ?? '';
      const svg = src.startsWith('data:image/svg+xml,') ? decodeURIComponent(src.slice('data:image/svg+xml,'.length))
        : src.startsWith('data:image/svg+xml;base64,') ? new TextDecoder().decode(Uint8Array.from(atob(src.split(',')[1]), (c) => c.charCodeAt(0)))
          : '';
      const r = img.getBoundingClientRect();
      return { ok: img.naturalWidth > 0, why: `image not decoded (${src.slice(0, 40)})`, width: Math.round(r.width), height: Math.round(r.height), svg };
    }
    const svg = el.querySelector('svg');
    if (svg) {
      const r = svg.getBoundingClientRect();
      return { ok: true, width: Math.round(r.width), height: Math.round(r.height), svg: svg.outerHTML };
    }
    return { ok: false, why: `no image or SVG in it: "${el.textContent.trim().slice(0, 120)}"` };
  });
}

describe('Mermaid diagrams in JupyterLab (make lab)', () => {
  let lab;
  let browser;
  before(async () => { ({ lab, browser } = await openLab()); });
  after(() => closeLab({ lab, browser }));

  for (const name of WITH_DIAGRAMS) {
    test(`${name}: every mermaid block is drawn in JupyterLab`, async () => {
      const blocks = mermaidBlocks(join(NOTEBOOKS, name));
      assert.ok(blocks.length > 0, `${name} has mermaid blocks`);
      const page = await openNotebook(browser, lab, name);
      try {
        const drawn = [];
        for (const cellIndex of [...new Set(blocks.map((b) => b.cell))]) {
          // JupyterLab draws a Markdown cell when it comes into view: scroll to it, then wait for its diagrams.
          const cell = page.locator(`${OPEN_NOTEBOOK} .jp-Notebook .jp-Cell`).nth(cellIndex);
          await cell.scrollIntoViewIfNeeded();
          const want = blocks.filter((b) => b.cell === cellIndex).length;
          await page.waitForFunction(([sel, i, n]) => {
            const c = document.querySelectorAll(`${sel} .jp-Notebook .jp-Cell`)[i];
            return c && c.querySelectorAll('.jp-RenderedMermaid img, .jp-RenderedMermaid svg, .jp-RenderedMermaid.jp-mod-warning').length >= n;
          }, [OPEN_NOTEBOOK, cellIndex, want], { timeout: 30_000 }).catch(() => {});
          for (const el of await cell.locator('.jp-RenderedMermaid').elementHandles()) drawn.push(await readDiagram(el));
          for (let k = drawn.length; k < blocks.filter((b) => b.cell <= cellIndex).length; k++) {
            drawn.push({ ok: false, why: `cell ${cellIndex} shows no drawn diagram: "${(await cell.innerText()).slice(0, 120)}"` });
          }
        }
        assertDrawn(`JupyterLab ${name}`, blocks, drawn);
      } finally {
        await page.close();
        await shutdownKernels(lab).catch(() => {});
      }
    });
  }
});

describe('Mermaid diagrams in the exported book and slides (scripts/build_book.py)', () => {
  let book;
  const outside = [];
  before(async () => { book = await openBook(); });
  after(() => book?.close());

  /** A page of the served book that records every request leaving loopback (there must be none). */
  async function bookPage(url) {
    const page = await book.browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on('request', (r) => {
      const u = r.url();
      if (!u.startsWith(book.url) && !u.startsWith('data:') && !u.startsWith('blob:')) outside.push(u);
    });
    await page.goto(url);
    return page;
  }

  for (const name of WITH_DIAGRAMS) {
    const stem = name.replace(/\.ipynb$/, '');

    test(`${stem}.html: every mermaid block is drawn in the HTML book`, async () => {
      const blocks = mermaidBlocks(join(NOTEBOOKS, name));
      const page = await bookPage(`${book.url}/${stem}.html`);
      try {
        // nbconvert's lab template draws each diagram as an <img> of its SVG and marks the block rendered.
        await page.waitForFunction((n) => document.querySelectorAll('.jp-RenderedMermaid').length >= n, blocks.length, { timeout: 30_000 })
          .catch(() => {});
        const drawn = [];
        for (const el of await page.locator('.jp-Mermaid').elementHandles()) drawn.push(await readDiagram(el));
        assertDrawn(`${stem}.html`, blocks, drawn);
        assert.deepEqual(outside.splice(0), [], `${stem}.html loads nothing from outside the book`);
      } finally {
        await page.close();
      }
    });

    test(`${stem}.slides.html: every mermaid block is drawn on its slide`, async () => {
      const blocks = mermaidBlocks(join(NOTEBOOKS, name));
      const page = await bookPage(`${book.url}/slides/${stem}.slides.html`);
      try {
        await page.waitForFunction((n) => [...document.querySelectorAll('pre.mermaid')].filter((p) => p.dataset.processed).length >= n,
          blocks.length, { timeout: 30_000 }).catch(() => {});
        await page.waitForFunction(() => window.Reveal?.isReady?.() || Object.entries(window.require?.s?.contexts?._?.defined ?? {})
          .some(([n, m]) => /reveal\.js\/dist\/reveal(\.js)?$/.test(n) && m?.isReady?.()), null, { timeout: 30_000 });
        const drawn = [];
        const count = await page.locator('pre.mermaid').count();
        for (let i = 0; i < count; i++) {
          // A diagram has a size only on the slide on show: go to its slide first.
          await page.evaluate((k) => {
            const R = window.Reveal ?? Object.entries(window.require.s.contexts._.defined)
              .find(([n]) => /reveal\.js\/dist\/reveal(\.js)?$/.test(n))[1];
            const section = document.querySelectorAll('pre.mermaid')[k].closest('section');
            const { h, v } = R.getIndices(section);
            R.slide(h, v);
          }, i);
          await page.waitForTimeout(300);
          const pre = page.locator('pre.mermaid').nth(i);
          const d = await pre.evaluate((el) => (el.dataset.processed === 'error'
            ? { ok: false, why: `Mermaid reported: ${el.title}` }
            : el.dataset.processed !== 'true' ? { ok: false, why: `not drawn: "${el.textContent.trim().slice(0, 120)}"` } : null));
          drawn.push(d ?? await readDiagram(await pre.elementHandle()));
        }
        assertDrawn(`${stem}.slides.html`, blocks, drawn);
        assert.deepEqual(outside.splice(0), [], `${stem}.slides.html loads nothing from outside the book`);
      } finally {
        await page.close();
      }
    });
  }
});
