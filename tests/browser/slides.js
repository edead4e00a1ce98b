// Measures every slide of a reveal.js deck in headless Chromium at a projector's 1280x720:
// the content's height against the slide's, and the smallest text size as shown.
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
        const heading = s.querySelector('h1, h2, h3, h4')?.textContent.trim().slice(0, 60) ?? s.textContent.trim().slice(0, 60);
        out.push({ index: `${h}/${v}`, heading, content: s.scrollHeight, height, smallest });
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
