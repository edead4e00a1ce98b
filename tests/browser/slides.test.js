// The exported book as a reader and a teacher see it: `scripts/build_book.py` (make book / make slides)
// into a temporary folder, served on loopback, in headless Chromium. Every figure of every page draws;
// every slide of every deck fits a 1280x720 projector with no text below 20 px.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { NOTEBOOKS, bookNotebooks, figuresInFile } from './lab.js';
import { measureDeck, openBook } from './slides.js';

let book;
before(async () => { book = await openBook(); });
after(() => book?.close());

for (const name of bookNotebooks()) {
  const stem = name.replace(/\.ipynb$/, '');

  test(`${stem}.html: every figure draws in the exported book`, async () => {
    const expected = figuresInFile(join(NOTEBOOKS, name));
    const page = await book.browser.newPage({ viewport: { width: 1280, height: 900 } });
    try {
      await page.goto(`${book.url}/${stem}.html`);
      const drawn = await page.evaluate(async () => {
        const imgs = [...document.querySelectorAll('.jp-OutputArea-output img')];
        await Promise.all(imgs.map((i) => (i.complete ? null : new Promise((r) => { i.onload = r; i.onerror = r; }))));
        return imgs.filter((i) => i.naturalWidth > 0).length;
      });
      assert.equal(drawn, expected, `${stem}.html: ${drawn} of ${expected} figures drawn`);
    } finally {
      await page.close();
    }
  });

  test(`${stem}.slides.html: every slide fits 1280x720, text at least 20 px, in figures too`, async () => {
    const slides = await measureDeck(book.browser, `${book.url}/slides/${stem}.slides.html`);
    assert.ok(slides.length > 0, 'the deck has slides');
    const over = slides.filter((s) => s.content > s.height + 2);
    assert.deepEqual(over.map((s) => `slide ${s.index} "${s.heading.slice(0, 40)}" is ${(s.content / s.height).toFixed(2)}x the frame`), []);
    const small = slides.filter((s) => s.smallest !== null && s.smallest < 19.5);
    assert.deepEqual(small.map((s) => `slide ${s.index} "${s.heading.slice(0, 40)}": text at ${s.smallest.toFixed(1)} px`), []);
    const smallFigures = slides.filter((s) => s.figureText !== null && s.figureText < 19.5);
    assert.deepEqual(smallFigures.map((s) => `slide ${s.index} "${s.heading.slice(0, 40)}": a figure's text at ${s.figureText.toFixed(1)} px`), []);
  });
}
