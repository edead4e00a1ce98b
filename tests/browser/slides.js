import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, launchBrowser } from './lab.js';

// Measures every slide of a reveal.js deck in headless Chromium at a projector's 1280x720:
// the content's height against the slide's, and the smallest text size as shown, in the slide's
// text and inside its figures (SVG images).
export async function measureDeck(browser, url) {
  const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
  // nbconvert's slides load reveal.js through require.js, as a module named by its path.
  await page.addInitScript(() => {
    window.reveal = () => window.Reveal ?? Object.entries(window.require?.s?.contexts?._?.defined ?? {})
      .find(([name]) => /reveal\.js\/dist\/reveal(\.js)?$/.test(name))?.[1];
  });
  try {
    await page.goto(url);
    await page.waitForFunction(() => reveal()?.isReady?.(), null, { timeout: 60_000 });
    return await page.evaluate(async () => {
      const R = reveal();
      const { height } = R.getConfig();
      const out = [];
      const slides = R.getSlides();
      for (const s of slides) {
        const { h, v } = R.getIndices(s);
        R.slide(h, v);
        await new Promise((r) => setTimeout(r, 30));
        // Slides keep fragments hidden until shown; measure with all of them visible.
        s.querySelectorAll('.fragment').forEach((f) => f.classList.add('visible'));
        const scale = R.getScale();
        const texts = [...s.querySelectorAll('p, li, td, th, pre, code, span')].filter((e) => e.offsetParent && e.textContent.trim()
          && !e.closest('.MathJax, .MathJax_CHTML, .MathJax_Preview, mjx-container, .MJX_Assistive_MathML, svg'));
        const smallest = texts.length ? Math.min(...texts.map((e) => parseFloat(getComputedStyle(e).fontSize) * scale)) : null;
        // A figure's text as shown: its smallest font size times the image's on-screen width over the SVG's own.
        const figures = [...s.querySelectorAll('img')].filter((i) => i.offsetParent && i.src.startsWith('data:image/svg+xml;base64,'))
          .map((img) => {
            const svg = new TextDecoder().decode(Uint8Array.from(atob(img.src.split(',')[1]), (c) => c.charCodeAt(0)));
            const sizes = [...svg.matchAll(/font-size(?:="|:\s*)([\d.]+)/g)].map((m) => parseFloat(m[1]));
            const root = svg.match(/<svg\b[^>]*>/)?.[0] ?? '';
            const own = parseFloat(root.match(/viewBox="[-\d.]+ [-\d.]+ ([\d.]+)/)?.[1] ?? root.match(/\swidth="([\d.]+)/)?.[1]);
            return sizes.length && own ? Math.min(...sizes) * img.getBoundingClientRect().width / own : null;
          }).filter((v) => v !== null);
        const figureText = figures.length ? Math.min(...figures) : null;
        const heading = s.querySelector('h1, h2, h3, h4')?.textContent.trim().slice(0, 60) ?? s.textContent.trim().slice(0, 60);
        out.push({ index: `${h}/${v}`, heading, content: s.scrollHeight, height, smallest, figureText });
      }
      return out;
    });
  } finally {
    await page.close();
  }
}

/** Serves a folder on loopback (module scripts do not load from file://). Returns { url, close }. */
export async function serveFolder(root) {
  const { createServer } = await import('node:http');
  const { readFile } = await import('node:fs/promises');
  const { extname, join, normalize } = await import('node:path');
  const types = { '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript', '.css': 'text/css',
    '.json': 'application/json', '.svg': 'image/svg+xml', '.png': 'image/png', '.woff': 'font/woff', '.woff2': 'font/woff2' };
  const server = createServer(async (req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url, 'http://x').pathname)).replace(/^(\.\.[/\\])+/, '');
    try {
      const body = await readFile(join(root, path));
      res.writeHead(200, { 'Content-Type': types[extname(path)] ?? 'application/octet-stream' });
      res.end(body);
    } catch {
      res.writeHead(404);
      res.end();
    }
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${server.address().port}`, close: () => new Promise((r) => server.close(r)) };
}

/** The HTML book and its slides built by scripts/build_book.py into a temporary folder, served on
 * loopback, and a browser: for a test file's before(). Returns { url, browser, close }. */
export async function openBook() {
  const out = mkdtempSync(join(tmpdir(), 'calc-dl-book-'));
  const py = join(ROOT, '.venv', 'bin', 'python');
  execFileSync(py, ['scripts/build_book.py', '--out', out], { cwd: ROOT, stdio: 'pipe' });
  execFileSync(py, ['scripts/build_book.py', '--slides', '--out', out], { cwd: ROOT, stdio: 'pipe' });
  const server = await serveFolder(out);
  const browser = await launchBrowser();
  return {
    url: server.url,
    browser,
    close: async () => {
      await browser.close();
      await server.close();
      rmSync(out, { recursive: true, force: true });
    },
  };
}
