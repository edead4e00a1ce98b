// What a learner waits for in JupyterLab (`make lab`, headless Chromium), with the kernel pool on
// and off in one run (issue 16). Each mode: a fresh `make lab` (CALC_DL_POOL=1 or 0), a quiet
// machine (the pool warmed), then
//   1. page.goto(notebook 01) -> kernel idle -> Shift+Enter cell by cell from the first code cell
//      -> the output of its first computing cell (the first code cell with committed outputs);
//   2. Kernel > Restart Kernel…, confirm -> kernel idle, and again to that output;
//   3. in the JupyterLab already open, double-click notebook 09 in the file browser -> kernel idle
//      -> its first computing output (what a class does: JupyterLab open, the lesson opened).
// Prints one JSON line per measurement, then a table. Usage: node tests/browser/bench_browser.mjs
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { NOTEBOOKS, OPEN_NOTEBOOK, kernelIdle, launchBrowser, shutdownKernels, startLab } from './lab.js';

const FIRST = '01_why_calculus.ipynb';
const SECOND = '09_chain_rule_backprop.ipynb';
const GOAL = 1.0;
const INDICATOR = `${OPEN_NOTEBOOK} .jp-Notebook-ExecutionIndicator`;

/** Cells from the first code cell through the first computing cell (the first with committed outputs). */
function plan(name) {
  const cells = JSON.parse(readFileSync(join(NOTEBOOKS, name), 'utf8')).cells;
  const first = cells.findIndex((c) => c.cell_type === 'code');
  const target = cells.findIndex((c) => c.cell_type === 'code' && (c.outputs ?? []).length > 0);
  return { first, target, presses: target - first + 1 };
}

/** The pool's log: warm-ups finished, hand-outs (restarts included). */
function pool(lab) {
  const lines = lab.log().split('\n');
  return {
    warmed: lines.filter((l) => l.includes('calc_dl kernel pool:') && l.includes(' warm in ')).length,
    handed: lines.filter((l) => l.includes(', from the calc_dl pool')).length,
  };
}

async function until(cond, what, timeoutMs = 900_000) { // cond is synchronous
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Both variants warm and nothing warming (a hand-out's refill waits 20 s, then ~20 s of warm-up). */
async function quiet(lab, on) {
  if (on) await until(() => { const p = pool(lab); return p.warmed - p.handed >= 2; }, 'the pool to be full');
  await new Promise((r) => setTimeout(r, 3000));
}

/** Records the kernel status of the notebook on show, with page timestamps (window.__status). */
async function watchStatus(page) {
  await page.evaluate((sel) => {
    window.__status = [];
    const el = document.querySelector(sel);
    const note = () => window.__status.push([performance.now(), el.getAttribute('data-status')]);
    note();
    new MutationObserver(note).observe(el, { attributes: true, attributeFilter: ['data-status'] });
  }, INDICATOR);
}

/** Shift+Enter from the first code cell through the first computing cell, until its new output. */
async function runToFirstOutput(page, name) {
  const { first, target, presses } = plan(name);
  const cells = page.locator(`${OPEN_NOTEBOOK} .jp-Notebook .jp-Cell`);
  await cells.nth(target).waitFor({ state: 'attached' }); // JupyterLab renders cells lazily
  // The committed outputs are on show: mark them, so only an output of this run counts.
  await cells.nth(target).evaluate((c) => c.querySelectorAll('.jp-OutputArea-output').forEach((o) => o.setAttribute('data-old', '')));
  const t0 = Date.now();
  await cells.nth(first).locator('.jp-InputArea-editor').click();
  for (let i = 0; i < presses; i++) await page.keyboard.press('Shift+Enter');
  await cells.nth(target).locator('.jp-OutputArea-output:not([data-old])').first().waitFor({ timeout: 600_000 });
  return (Date.now() - t0) / 1000;
}


async function mode(browser, on) {
  const lab = await startLab({ extraEnv: { CALC_DL_POOL: on ? '1' : '0' } });
  const rows = [];
  const row = (what, seconds, goal) => {
    const r = { pool: on, what, seconds, ...(goal ? { goal } : {}) };
    rows.push(r);
    console.log(JSON.stringify(r));
  };
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  try {
    await quiet(lab, on);
    // 1. page.goto to the first computing output.
    const t0 = Date.now();
    await page.goto(`${lab.url}/lab/tree/${FIRST}?reset&token=${lab.token}`);
    await page.locator(`${OPEN_NOTEBOOK} .jp-Cell`).first().waitFor({ timeout: 120_000 });
    row('01: page.goto -> notebook shown', (Date.now() - t0) / 1000);
    await kernelIdle(page, lab, { timeout: 600_000, path: FIRST });
    row('01: page.goto -> kernel idle', (Date.now() - t0) / 1000);
    const cells = await runToFirstOutput(page, FIRST);
    row('01: page.goto -> first computing output', (Date.now() - t0) / 1000, GOAL);
    row('01: first Shift+Enter -> first computing output', cells);

    // 2. Restart.
    await quiet(lab, on);
    await watchStatus(page);
    await page.keyboard.press('Escape');
    await page.getByRole('menuitem', { name: 'Kernel', exact: true }).click();
    await page.getByRole('menuitem', { name: /^Restart Kernel…/ }).click();
    await page.locator('.jp-Dialog .jp-mod-accept').waitFor();
    const p0 = await page.evaluate(() => performance.now());
    const w0 = Date.now();
    await page.locator('.jp-Dialog .jp-mod-accept').click();
    await page.waitForFunction((t) => {
      const after = window.__status.filter(([at]) => at >= t);
      const busy = after.findIndex(([, s]) => s !== 'idle');
      return busy >= 0 && after.slice(busy).some(([, s]) => s === 'idle');
    }, p0, { timeout: 600_000, polling: 50 });
    const ready = await page.evaluate((t) => window.__status.filter(([at, s]) => at >= t && s === 'idle').at(-1)[0] - t, p0);
    row('01: restart confirmed -> kernel idle', ready / 1000, GOAL);
    await runToFirstOutput(page, FIRST);
    row('01: restart confirmed -> first computing output', (Date.now() - w0) / 1000);

    // 3. The next lesson, opened inside the JupyterLab already loaded.
    await quiet(lab, on);
    const o0 = Date.now();
    await page.locator('.jp-DirListing-item', { hasText: SECOND }).dblclick();
    await page.locator('#jp-main-dock-panel .lm-TabBar-tab.lm-mod-current', { hasText: SECOND }).waitFor();
    await kernelIdle(page, lab, { timeout: 600_000, path: SECOND });
    row('09: double-click in the file browser -> kernel idle', (Date.now() - o0) / 1000);
    await runToFirstOutput(page, SECOND);
    row('09: double-click -> first computing output', (Date.now() - o0) / 1000, GOAL);
  } finally {
    await page.close();
    await shutdownKernels(lab).catch(() => {});
    await lab.stop();
  }
  return rows;
}

const browser = await launchBrowser();
let rows = [];
try {
  rows = [...await mode(browser, true), ...await mode(browser, false)];
} finally {
  await browser.close();
}
console.log(`\n${'JupyterLab in headless Chromium'.padEnd(52)}  pool on  pool off`);
for (const on of rows.filter((r) => r.pool)) {
  const off = rows.find((r) => !r.pool && r.what === on.what);
  const goal = on.goal ? `  goal <= ${on.goal.toFixed(1)}s ${on.seconds <= on.goal ? 'ok' : 'MISSED'}` : '';
  console.log(`${on.what.padEnd(52)} ${on.seconds.toFixed(2).padStart(7)}s ${off.seconds.toFixed(2).padStart(8)}s${goal}`);
}
