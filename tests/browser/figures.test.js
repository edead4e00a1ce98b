// What a learner sees on first open, in JupyterLab from `make lab` on a fresh machine (empty Jupyter
// data folder: the committed notebooks are untrusted, so JupyterLab sanitises their HTML outputs),
// and after Run All. Fails with the notebook and the outputs named.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  NOTEBOOKS, OPEN_NOTEBOOK, bookNotebooks, closeLab, drawnFigures, figuresInFile, openLab, openNotebook, runAllCells,
  shutdownKernels,
} from './lab.js';


let lab;
let browser;
before(async () => { ({ lab, browser } = await openLab()); });
after(() => closeLab({ lab, browser }));

const open = (name) => openNotebook(browser, lab, name);

for (const name of bookNotebooks()) {
  test(`${name}: every committed figure draws on first open`, async () => {
    const file = readFileSync(join(NOTEBOOKS, name), 'utf8');
    // An inline <svg> in an HTML output is what an untrusted notebook strips.
    assert.ok(!/"text\/html": \[?\s*"[^"]*<svg/.test(file), `${name} holds a figure as inline <svg> HTML`);
    const expected = figuresInFile(join(NOTEBOOKS, name));
    const page = await open(name);
    try {
      const { drawn, broken } = await drawnFigures(page, expected);
      assert.equal(drawn, expected, `${name}: ${drawn} of ${expected} figures drawn (not drawn: outputs ${broken.join(', ')})`);
    } finally {
      await page.close();
      await shutdownKernels(lab);
    }
  });
}

test('Run All through the UI: every code cell runs, its figures draw, and stay drawn when saved and reopened', async () => {
  const name = '03_tangents_and_rules.ipynb';
  const page = await open(name);
  try {
    await runAllCells(page, lab);
    const errors = await page.locator(`${OPEN_NOTEBOOK} .jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]`).count();
    assert.equal(errors, 0, `${name}: ${errors} outputs on stderr after Run All`);
    const expected = figuresInFile(join(NOTEBOOKS, name));
    const { drawn, broken } = await drawnFigures(page, expected);
    assert.equal(drawn, expected, `${name} after Run All: ${drawn} of ${expected} figures drawn (not drawn: ${broken.join(', ')})`);
    // Saved with the new outputs and opened again: still drawn.
    await page.keyboard.press('Control+s');
    await page.waitForFunction((sel) => !document.querySelector(`${sel}`)?.closest('.lm-DockPanel')
      ?.querySelector('.lm-TabBar-tab.lm-mod-current.jp-mod-dirty'), OPEN_NOTEBOOK, { timeout: 30_000 });
    // Every code cell ran, in order: the saved file has an execution count on each (the check cells'
    // collapsed inputs show none on the page), increasing from top to bottom.
    const saved = JSON.parse(readFileSync(join(lab.dir, 'notebooks', name), 'utf8')).cells.filter((c) => c.cell_type === 'code');
    const unrun = saved.map((c, i) => [i, c.execution_count]).filter(([, n]) => !Number.isInteger(n)).map(([i]) => i);
    assert.deepEqual(unrun, [], `${name}: code cells without an execution count after Run All and save`);
    const counts = saved.map((c) => c.execution_count);
    assert.ok(counts.every((n, i) => i === 0 || n > counts[i - 1]), `${name}: cells ran out of order: ${counts.join(', ')}`);
    const again = await open(name);
    try {
      const reopened = await drawnFigures(again, expected);
      assert.equal(reopened.drawn, expected, `${name} saved and reopened: ${reopened.drawn} of ${expected} figures drawn`);
    } finally {
      await again.close();
    }
  } finally {
    await page.close();
    await shutdownKernels(lab);
  }
});
