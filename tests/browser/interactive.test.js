// Figures a teacher moves live, and user text that must never run: in JupyterLab after Run All
// (outputs made in the session are trusted, so their scripts run).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { OPEN_NOTEBOOK, closeLab, openLab, openNotebook, runAllCells, shutdownKernels } from './lab.js';


let lab;
let browser;
before(async () => { ({ lab, browser } = await openLab({ fixtures: true })); });
after(() => closeLab({ lab, browser }));

test('user text in a figure, a table and a slider shows as text and never runs (trusted outputs)', async () => {
  const page = await openNotebook(browser, lab, 'escape.ipynb');
  const dialogs = [];
  page.on('dialog', async (d) => { dialogs.push(d.message()); await d.dismiss(); });
  try {
    await runAllCells(page, lab);
    const outputs = page.locator(`${OPEN_NOTEBOOK} .jp-OutputArea-output`);
    await page.waitForTimeout(1500); // any injected script or onerror would have fired by now
    assert.deepEqual(dialogs, [], `a user string ran as script: ${dialogs.join(', ')}`);
    const text = await outputs.allInnerTexts();
    assert.ok(text.some((t) => t.includes('</script><script>alert(1)</script><img src=x onerror=alert(2)>')),
      'the table shows the string as text');
    assert.ok(text.some((t) => t.includes('</script><script>alert(1)</script><img src=x onerror=alert(2)> k = 1')),
      'the slider label shows the string as text');
    const stderr = await page.locator(`${OPEN_NOTEBOOK} [data-mime-type="application/vnd.jupyter.stderr"]`).count();
    assert.equal(stderr, 0, 'no cell failed');
    // Exactly the slider's own two scripts in the outputs; no <img> but the figures'.
    const scripts = await page.locator(`${OPEN_NOTEBOOK} .jp-OutputArea-output script`).count();
    assert.ok(scripts <= 2, `${scripts} script elements in the outputs`);
    const stray = await page.locator(`${OPEN_NOTEBOOK} .jp-OutputArea-output img:not([src^="data:image/svg+xml"])`).count();
    assert.equal(stray, 0, 'an <img> of the user string reached the page');
  } finally {
    await page.close();
    await shutdownKernels(lab);
  }
});

test('the slider redraws in the browser, without the kernel', async () => {
  const page = await openNotebook(browser, lab, 'escape.ipynb');
  try {
    await runAllCells(page, lab);
    await shutdownKernels(lab); // the slider must not need it
    const slider = page.locator(`${OPEN_NOTEBOOK} .calc-dl-slider`);
    await slider.scrollIntoViewIfNeeded();
    const before = await slider.locator('img').getAttribute('src');
    const input = slider.locator('input[type="range"]');
    assert.equal(await input.isDisabled(), false, 'the script enabled the slider');
    await input.fill('1');
    const after = await slider.locator('img').getAttribute('src');
    assert.notEqual(after, before, 'moving the slider changed the frame');
    assert.match(await slider.locator('output').innerText(), /k = 2$/);
    const drawn = await slider.locator('img').evaluate(async (img) => {
      if (!img.complete) await new Promise((r) => { img.onload = r; img.onerror = r; });
      return img.naturalWidth > 0;
    });
    assert.ok(drawn, 'the new frame draws');
  } finally {
    await page.close();
  }
});
