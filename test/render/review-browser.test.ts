import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { validatePlanFile } from '../../src/plan/validate.js';
import { renderHtml } from '../../src/render/review/html.js';
import { buildReview, type Review } from '../../src/render/review/model.js';
import { renderScript } from '../../src/render/script.js';

/**
 * The HTML review as a change board sees it: Debian's chromium, driven by playwright-core (which
 * never downloads a browser of its own), loads the grace-period example's review from disk. The
 * markup is checked by html.test.ts; this file checks what only a browser can tell: the CSP holds
 * without errors, the token shows, ids stay on one line, and the print layout fits A4.
 * Artifacts (the page, a print screenshot, a PDF) land in test-artifacts/ for a person to look at.
 */
const ARTIFACTS = resolve('test-artifacts');
// The flags this machine's closed network needs: without them chromium keeps trying to reach
// update and sync services, and as root it needs --no-sandbox.
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
/** A4 at CSS's 96 px per inch: 210 mm by 297 mm. */
const A4 = { width: 794, height: 1123 };
/** What is left of A4's width inside the review's `@page { margin: 15mm }`. */
const A4_PRINTABLE_WIDTH = Math.floor(A4.width - (2 * 15 * 96) / 25.4);

function chromiumPath(): string | undefined {
  try {
    return execFileSync('sh', ['-c', 'command -v chromium'], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}

const executablePath = chromiumPath();

interface Observed {
  console: string[];
  pageErrors: string[];
  requests: string[];
}

/** Opens a file with every console message, page error and request recorded, and CSP violations collected by the page itself. */
async function open(browser: Browser, file: string): Promise<{ page: Page; observed: Observed; violations: () => Promise<string[]> }> {
  const page = await browser.newPage();
  const observed: Observed = { console: [], pageErrors: [], requests: [] };
  page.on('console', (m) => observed.console.push(`${m.type()}: ${m.text()}`));
  page.on('pageerror', (e) => observed.pageErrors.push(e.message));
  page.on('request', (r) => observed.requests.push(r.url()));
  // Injected by the browser's debugging protocol, so the page's own CSP (no script at all) does
  // not block it. Page code is JavaScript text: the tests are type-checked without the DOM library.
  await page.addInitScript({
    content: `window.rdsplanCsp = []; document.addEventListener('securitypolicyviolation', (e) => window.rdsplanCsp.push(e.violatedDirective + ' ' + e.blockedURI));`,
  });
  await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
  return { page, observed, violations: () => page.evaluate<string[]>('window.rdsplanCsp') };
}

/** The layout at the current viewport and media: the page's widths and anything that sticks out or wraps. */
interface Layout {
  scrollWidth: number;
  clientWidth: number;
  tooWide: string[];
  ids: number;
  wrappedIds: string[];
  unbreakable: number;
}

const MEASURE = `(() => {
  const root = document.documentElement;
  const clientWidth = root.clientWidth;
  const tooWide = [...document.body.querySelectorAll('*')]
    .filter((el) => el.getBoundingClientRect().right > clientWidth + 0.5)
    .map((el) => '<' + el.tagName.toLowerCase() + ' class="' + el.className + '"> ' + (el.textContent || '').slice(0, 40));
  const ids = [...document.querySelectorAll('code.id')];
  // An inline element that wraps has one client rect per line.
  const wrappedIds = ids.filter((el) => el.getClientRects().length !== 1).map((el) => el.textContent);
  const unbreakable = [...document.querySelectorAll('.step, .signoff')].filter((el) => getComputedStyle(el).breakInside !== 'avoid').length;
  return { scrollWidth: root.scrollWidth, clientWidth, tooWide, ids: ids.length, wrappedIds, unbreakable };
})()`;

/** The layout at the current viewport and media: the page's widths and anything that sticks out or wraps. */
function measure(page: Page): Promise<Layout> {
  return page.evaluate<Layout>(MEASURE);
}

if (!executablePath && process.env.CI === 'true') {
  test('chromium is installed for the HTML review browser test', () => {
    throw new Error('chromium was not found on PATH (`command -v chromium`): .ci/run installs Debian\'s chromium package; install it with `apt-get install -y chromium`');
  });
}

// Outside CI a machine without chromium skips these; in CI the test above fails instead.
(executablePath ? describe : describe.skip)('HTML review in Debian chromium', () => {
  let browser: Browser;
  let review: Review;
  const file = join(ARTIFACTS, 'reset-grace-period.review.html');

  beforeAll(async () => {
    const result = validatePlanFile('examples/reset-grace-period.json');
    review = buildReview(result.plan!, renderScript(result.plan!, { toolVersion: '0.0.0-browser' }), result.diagnostics);
    mkdirSync(ARTIFACTS, { recursive: true });
    writeFileSync(file, renderHtml(review));
    browser = await chromium.launch({ executablePath: executablePath!, headless: true, args: CHROMIUM_ARGS });
  });

  afterAll(async () => {
    await browser?.close();
  });

  test('the detector sees a CSP violation when there is one', async () => {
    // Without this, "no violations" below could also mean the listener never ran.
    const hostile = join(ARTIFACTS, 'csp-control.html');
    writeFileSync(hostile, renderHtml(review).replace('</body>', '<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" alt="">\n</body>'));
    const { page, observed, violations } = await open(browser, hostile);
    expect(await violations()).toEqual([expect.stringMatching(/^img-src data/)]);
    expect(observed.console.some((line) => line.startsWith('error: ') && line.includes('Content Security Policy'))).toBe(true);
    // And the layout measure sees a page too narrow for the token.
    await page.emulateMedia({ media: 'print' });
    await page.setViewportSize({ width: 360, height: A4.height });
    const narrow = await measure(page);
    expect(narrow.tooWide.length).toBeGreaterThan(0);
    expect(narrow.scrollWidth).toBeGreaterThan(narrow.clientWidth);
    await page.close();
  });

  test('loads with no console message, page error, CSP violation or request beyond the file', async () => {
    const { page, observed, violations } = await open(browser, file);
    expect(observed.console).toEqual([]);
    expect(observed.pageErrors).toEqual([]);
    expect(await violations()).toEqual([]);
    expect(observed.requests).toEqual([pathToFileURL(file).href]);
    await page.close();
  });

  test('the approval token is visible, whole and on one line, at the top', async () => {
    const { page } = await open(browser, file);
    const top = page.locator('.token code.id').first();
    expect(await top.isVisible()).toBe(true);
    expect(await top.textContent()).toBe(review.approvalToken);
    expect(await page.getByText(review.approvalToken, { exact: true }).count()).toBe(3);
    const box = (await top.boundingBox())!;
    expect(box.y + box.height).toBeLessThan(page.viewportSize()!.height);
    expect((await measure(page)).wrappedIds).toEqual([]);
    await page.close();
  });

  test.each([
    ['A4 width', A4.width],
    ['A4 inside the 15 mm margins', A4_PRINTABLE_WIDTH],
  ])('print layout at %s fits the page: nothing wider, no id wrapped, no break inside a step', async (_name, width) => {
    const { page } = await open(browser, file);
    await page.emulateMedia({ media: 'print' });
    await page.setViewportSize({ width, height: A4.height });
    const layout = await measure(page);
    process.stdout.write(`review-browser: print at ${width}px: scrollWidth ${layout.scrollWidth}, clientWidth ${layout.clientWidth}\n`);
    expect(layout.clientWidth).toBe(width);
    expect(layout.scrollWidth).toBeLessThanOrEqual(layout.clientWidth);
    expect(layout.tooWide).toEqual([]);
    expect(layout.ids).toBeGreaterThan(review.steps.length);
    expect(layout.wrappedIds).toEqual([]);
    expect(layout.unbreakable).toBe(0);
    if (width === A4.width) {
      await page.screenshot({ path: join(ARTIFACTS, 'reset-grace-period.review.print.png'), fullPage: true });
      const pdf = await page.pdf({ path: join(ARTIFACTS, 'reset-grace-period.review.pdf'), format: 'A4', preferCSSPageSize: true });
      expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    }
    await page.close();
  });
});
