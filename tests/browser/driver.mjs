// The browser driver of the console tests (tests/src/browser.rs): Debian's
// chromium, headless, driven by playwright-core. It reads one JSON command
// per line on stdin and answers one JSON line on stdout:
//   {"id": 1, "page": "main", "op": "goto", "url": "..."}  ->  {"id": 1, "ok": true, "value": ...}
// Each "page" name is its own browser context (its own cookies), so one
// test can be a clerk and a chief representative at once. Failures answer
// {"ok": false, "error": "..."}; the driver itself never decides a test.
import { chromium } from 'playwright-core';
import { createInterface } from 'node:readline';

const browser = await chromium.launch({
  executablePath: process.env.LIANDONG_CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
         '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const pages = new Map();
const lastStatus = new Map();
const outside = new Map();

async function pageOf(name, viewport) {
  if (!pages.has(name)) {
    const context = await browser.newContext({ viewport: viewport || { width: 1366, height: 768 } });
    const page = await context.newPage();
    page.setDefaultTimeout(15000);
    page.on('response', (r) => {
      if (r.request().isNavigationRequest() && r.frame() === page.mainFrame()) {
        lastStatus.set(name, r.status());
      }
    });
    outside.set(name, []);
    page.on('request', (r) => {
      const u = new URL(r.url());
      if (!['127.0.0.1', 'localhost'].includes(u.hostname) && !['data:', 'blob:'].includes(u.protocol)) {
        outside.get(name).push(r.url());
      }
    });
    pages.set(name, page);
  }
  return pages.get(name);
}

async function settle(page) {
  await page.waitForLoadState('load');
}

const ops = {
  async open(page, c) { return true; },
  async goto(page, c) { const r = await page.goto(c.url); return r ? r.status() : null; },
  async fill(page, c) { await page.getByLabel(c.label, { exact: true }).fill(c.value); return true; },
  // A checkbox's label carries its notes (原件, 必交): matched by its start.
  async check(page, c) { await page.getByLabel(c.label).first().check(); return true; },
  async select(page, c) { await page.getByLabel(c.label, { exact: true }).selectOption(c.value); return true; },
  async click(page, c) {
    const target = page.getByRole(c.role || 'button', { name: c.name, exact: true });
    await (c.nth !== undefined ? target.nth(c.nth) : target.first()).click();
    await settle(page);
    return lastStatus.get(c.page) ?? null;
  },
  async text(page) { return await page.locator('body').innerText(); },
  async html(page) { return await page.content(); },
  async url(page) { return page.url(); },
  async status(page, c) { return lastStatus.get(c.page) ?? null; },
  async screenshot(page, c) { await page.screenshot({ path: c.path, fullPage: true }); return c.path; },
  async print(page, c) {
    await page.emulateMedia({ media: 'print' });
    const text = await page.locator('body').innerText();
    await page.screenshot({ path: c.path + '.png', fullPage: true });
    await page.pdf({ path: c.path, format: 'A4', printBackground: true });
    await page.emulateMedia({ media: 'screen' });
    return text;
  },
  async post(page, c) {
    const r = await page.request.post(c.url, { form: c.form, maxRedirects: 0 });
    return { status: r.status(), body: await r.text() };
  },
  async press(page, c) {
    if (c.navigates) {
      await Promise.all([page.waitForNavigation(), page.keyboard.press(c.key)]);
    } else {
      await page.keyboard.press(c.key);
    }
    await settle(page);
    return true;
  },
  async focused(page) {
    return await page.evaluate(() => {
      const e = document.activeElement;
      if (!e) return null;
      const label = e.labels && e.labels[0] ? e.labels[0].innerText.trim() : '';
      return { tag: e.tagName.toLowerCase(), name: e.getAttribute('name'), label, text: (e.innerText || e.value || '').trim() };
    });
  },
  async overflow(page) {
    return await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth }));
  },
  async viewport(page, c) { await page.setViewportSize({ width: c.width, height: c.height }); return true; },
  async unlabelled(page) {
    // Form controls without an accessible label (should be none).
    return await page.evaluate(() => Array.from(document.querySelectorAll('input:not([type=hidden]), select, textarea'))
      .filter((e) => !(e.labels && e.labels.length) && !e.getAttribute('aria-label'))
      .map((e) => e.outerHTML));
  },
  // Every request the page made to anywhere but this host.
  async requests_outside(page, c) { return outside.get(c.page) || []; },
};

const rl = createInterface({ input: process.stdin });
for await (const line of rl) {
  let c;
  try { c = JSON.parse(line); } catch (e) { console.log(JSON.stringify({ ok: false, error: 'bad command: ' + e })); continue; }
  try {
    c.page = c.page || 'main';
    const page = await pageOf(c.page, c.viewport);
    const f = ops[c.op];
    if (!f) throw new Error('unknown op ' + c.op);
    const value = await f(page, c);
    console.log(JSON.stringify({ id: c.id, ok: true, value }));
  } catch (e) {
    console.log(JSON.stringify({ id: c.id, ok: false, error: String(e && e.message || e) }));
  }
}
await browser.close();
