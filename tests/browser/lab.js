// A real JupyterLab as a learner gets it from `make lab`, on loopback, and a real headless Chromium.
// Shared by the browser checks (*.test.js).
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';

export const ROOT = resolve(import.meta.dirname, '..', '..');
export const NOTEBOOKS = join(ROOT, 'notebooks');

/** The committed notebooks of the book, by file name. */
export function bookNotebooks() {
  return readdirSync(NOTEBOOKS).filter((f) => f.endsWith('.ipynb')).sort();
}

/** Outputs in a notebook file that show a figure (an <img> in HTML, or an image MIME type). */
export function figuresInFile(path) {
  const nb = JSON.parse(readFileSync(path, 'utf8'));
  let n = 0;
  for (const cell of nb.cells) {
    for (const out of cell.outputs ?? []) {
      const data = out.data ?? {};
      const html = [].concat(data['text/html'] ?? []).join('');
      n += (html.match(/<img\b/g) ?? []).length;
      if (!html && Object.keys(data).some((k) => k.startsWith('image/'))) n += 1;
    }
  }
  return n;
}

/**
 * Starts `make lab` with LAB_ARGS on a free port, serving a copy of the book (and with `fixtures`,
 * the notebooks of tests/browser/fixtures/ beside it; Run All must not
 * write into the checkout), with empty Jupyter data and config folders (a fresh machine: no
 * notebook is trusted). Returns { url, token, dir, stop }.
 */
export async function startLab({ port = 18000 + Math.floor(Math.random() * 1000), extraEnv = {}, fixtures = false } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'calc-dl-lab-'));
  cpSync(NOTEBOOKS, join(dir, 'notebooks'), { recursive: true });
  if (fixtures) cpSync(join(import.meta.dirname, 'fixtures'), join(dir, 'notebooks'), { recursive: true });
  symlinkSync(join(ROOT, 'crates'), join(dir, 'crates'));
  for (const sub of ['data', 'config', 'runtime']) mkdirSync(join(dir, sub));
  const token = 'calc-dl-browser-check';
  const args = [
    '--no-browser', '--ServerApp.ip=127.0.0.1',
    `--ServerApp.port=${port}`, '--ServerApp.port_retries=0', `--IdentityProvider.token=${token}`,
  ];
  const env = {
    ...process.env, JUPYTER_DATA_DIR: join(dir, 'data'), JUPYTER_CONFIG_DIR: join(dir, 'config'),
    JUPYTER_RUNTIME_DIR: join(dir, 'runtime'), ...extraEnv,
  };
  const lab = spawn('make', ['-s', 'lab', `NOTEBOOK_DIR=${join(dir, 'notebooks')}`, `LAB_ARGS=${args.join(' ')}`], { cwd: ROOT, env, detached: true });
  let log = '';
  lab.stdout.on('data', (d) => { log += d; });
  lab.stderr.on('data', (d) => { log += d; });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 600_000;
  for (;;) {
    if (lab.exitCode !== null) throw new Error(`make lab exited ${lab.exitCode}:\n${log.slice(-3000)}`);
    try {
      const r = await fetch(`${url}/api/status?token=${token}`);
      if (r.ok) break;
    } catch { /* not up yet */ }
    if (Date.now() > deadline) throw new Error(`JupyterLab did not answer in 10 minutes:\n${log.slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 500));
  }
  const api = async (path, init = {}) => {
    const r = await fetch(`${url}${path}`, { ...init, headers: { Authorization: `token ${token}`, ...(init.headers ?? {}) } });
    if (!r.ok) throw new Error(`${init.method ?? 'GET'} ${path}: ${r.status}`);
    return r.status === 204 ? null : r.json();
  };
  const stop = async () => {
    // On SIGTERM the server shuts its kernels down, the pool's too: give it the time, then make sure.
    try { process.kill(-lab.pid, 'SIGTERM'); } catch { /* gone */ }
    for (let t = 0; t < 200 && groupAlive(lab.pid); t++) await new Promise((r) => setTimeout(r, 100));
    try { process.kill(-lab.pid, 'SIGKILL'); } catch { /* gone */ }
    // A kernel runs in its own session: one left behind would keep this process alive through the
    // pipes it inherited. Each names its connection file in this lab's runtime folder.
    for (const pid of processesNaming(join(dir, 'runtime'))) {
      try { process.kill(-pid, 'SIGKILL'); } catch { try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ } }
    }
    lab.stdout.destroy();
    lab.stderr.destroy();
    rmSync(dir, { recursive: true, force: true });
  };
  return { url, token, dir, api, log: () => log, stop };
}

/** A `make lab` (startLab's options) and a browser, for a test file's before(); closeLab in after(). */
export async function openLab(options) {
  return { lab: await startLab(options), browser: await launchBrowser() };
}

/** Closes what openLab opened (either may be missing if before() failed), kernels first. */
export async function closeLab({ lab, browser }) {
  await browser?.close();
  if (lab) {
    await shutdownKernels(lab).catch(() => {});
    await lab.stop();
  }
}

/** Whether any process of the process group `pgid` is still running. */
function groupAlive(pgid) {
  try { process.kill(-pgid, 0); return true; } catch { return false; }
}

/** Processes whose command line contains `text` (read from /proc). */
function processesNaming(text) {
  const pids = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(text)) pids.push(Number(pid));
    } catch { /* ended meanwhile */ }
  }
  return pids;
}

/** Debian's chromium, headless, with the flags this machine's closed network needs. */
export async function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--no-first-run', '--disable-quic'],
  });
}

/** Shuts down every kernel the server runs (opening a notebook starts one). */
export async function shutdownKernels(lab) {
  for (const s of await lab.api('/api/sessions')) {
    await lab.api(`/api/sessions/${s.id}`, { method: 'DELETE' });
  }
}

/** The notebook on show (JupyterLab keeps other open notebooks as hidden tabs). */
export const OPEN_NOTEBOOK = '.jp-NotebookPanel:not(.lm-mod-hidden)';

/** Opens a notebook as a learner does, in a fresh workspace (no tabs restored from an earlier page). */
export async function openNotebook(browser, lab, name) {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.goto(`${lab.url}/lab/tree/${name}?reset&token=${lab.token}`);
  await page.locator(`${OPEN_NOTEBOOK} .jp-Cell`).first().waitFor({ timeout: 120_000 });
  return page;
}

/**
 * Images drawn in the outputs of the open notebook: each output scrolled into view (JupyterLab
 * renders cells lazily) and counted when the browser decoded it with a real size.
 */
export async function drawnFigures(page, expected) {
  // Outputs appear a moment after the first cell: wait until as many images as the file holds are in the page.
  await page.waitForFunction(([sel, n]) => document.querySelectorAll(`${sel} .jp-OutputArea-output img`).length >= n,
    [OPEN_NOTEBOOK, expected], { timeout: 60_000 }).catch(() => {});
  const outputs = page.locator(`${OPEN_NOTEBOOK} .jp-OutputArea-output`);
  const total = await outputs.count();
  let drawn = 0;
  const broken = [];
  for (let i = 0; i < total; i++) {
    const out = outputs.nth(i);
    const imgs = out.locator('img');
    const n = await imgs.count();
    if (n === 0) continue;
    await out.scrollIntoViewIfNeeded();
    for (let j = 0; j < n; j++) {
      const ok = await imgs.nth(j).evaluate(async (img) => {
        if (!img.complete) await new Promise((r) => { img.onload = r; img.onerror = r; setTimeout(r, 5000); });
        return img.naturalWidth > 0 && img.getBoundingClientRect().width > 0;
      });
      if (ok) drawn += 1; else broken.push(i);
    }
  }
  return { drawn, broken };
}

/**
 * Waits until the open notebook's kernel is up and idle. The toolbar's indicator says idle before
 * the notebook has a session at all (a cell run then asks which kernel to start), so the server's
 * session for the notebook is waited for first.
 */
export async function kernelIdle(page, lab, { timeout = 300_000, path } = {}) {
  path ??= decodeURIComponent(new URL(page.url()).pathname.replace(/^.*\/lab\/tree\//, ''));
  const deadline = Date.now() + timeout;
  for (;;) {
    const session = (await lab.api('/api/sessions')).find((s) => s.path === path);
    if (session?.kernel?.execution_state === 'idle') break;
    if (Date.now() > deadline) throw new Error(`${path}: no idle kernel after ${timeout / 1000} s (${JSON.stringify(session?.kernel)})`);
    await page.waitForTimeout(500);
  }
  await page.locator(`${OPEN_NOTEBOOK} .jp-Notebook-ExecutionIndicator[data-status="idle"]`).waitFor({ timeout: 60_000 });
}

/**
 * Clears the open notebook's outputs and runs every cell through the Run menu, as a learner does,
 * then waits until each code cell shows a number in its prompt (a cell whose input is collapsed, as
 * the book's check cells are, shows no prompt: the saved file tells about those). Fails early, naming
 * the cells, when the kernel has gone idle with cells left unrun (JupyterLab drops the queue after an
 * error), and says what the page showed on a timeout.
 */
export async function runAllCells(page, lab, { timeout = 600_000 } = {}) {
  await kernelIdle(page, lab);
  await page.locator(`${OPEN_NOTEBOOK} .jp-Notebook`).click();
  await page.getByRole('menuitem', { name: 'Edit', exact: true }).click();
  await page.getByRole('menuitem', { name: 'Clear Outputs of All Cells', exact: true }).click();
  await page.waitForFunction((sel) => [...document.querySelectorAll(`${sel} .jp-CodeCell .jp-InputArea-prompt`)]
    .every((p) => !/\d/.test(p.textContent)), OPEN_NOTEBOOK, { timeout: 30_000 });
  await page.getByRole('menuitem', { name: 'Run', exact: true }).click();
  await page.getByRole('menuitem', { name: 'Run All Cells', exact: true }).click();
  const state = () => page.evaluate((sel) => ({
    prompts: [...document.querySelectorAll(`${sel} .jp-CodeCell .jp-InputArea-prompt`)].map((p) => p.textContent.trim()),
    status: document.querySelector(`${sel} .jp-Notebook-ExecutionIndicator`)?.dataset.status,
    stderr: [...document.querySelectorAll(`${sel} [data-mime-type="application/vnd.jupyter.stderr"]`)]
      .map((e) => e.textContent.slice(0, 300)),
  }), OPEN_NOTEBOOK);
  const describe = (s) => {
    const left = s.prompts.map((t, i) => [i, t]).filter(([, t]) => !/^\[\d+\]/.test(t));
    return `kernel ${s.status}; code cells not numbered: ${left.map(([i, t]) => `#${i} '${t}'`).join(', ') || 'none'}`
      + (s.stderr.length ? `; stderr: ${s.stderr.join(' | ')}` : '');
  };
  const deadline = Date.now() + timeout;
  let idleSince = null;
  for (;;) {
    const s = await state();
    if (s.status === 'idle' && s.prompts.length > 0 && s.prompts.every((t) => /^\[\d+\]/.test(t))) return s;
    const busy = s.prompts.some((t) => t.includes('*'));
    idleSince = !busy && s.status === 'idle' ? (idleSince ?? Date.now()) : null;
    if (idleSince && Date.now() - idleSince > 20_000) {
      await page.screenshot({ path: join(tmpdir(), 'calc-dl-run-all-stopped.png'), fullPage: true });
      throw new Error(`Run All stopped: ${describe(s)}`);
    }
    if (Date.now() > deadline) {
      await page.screenshot({ path: join(tmpdir(), 'calc-dl-run-all-timeout.png'), fullPage: true });
      throw new Error(`Run All not finished after ${timeout / 1000} s: ${describe(s)}`);
    }
    await page.waitForTimeout(1000);
  }
}
