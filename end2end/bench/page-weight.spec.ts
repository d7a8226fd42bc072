// What a browser downloads to run each page: the wasm and js as sent
// (brotli), in a fresh browser context each time, with any inline script
// and the HTML page as sent, beside the whole app's wasm and js (every
// chunk of every bundle, brotli, as on disk) measured in the same run.
//   source scripts/env.sh && release_build   (every bundle)
//   cd end2end && npx playwright test -c bench.config.ts
import { test, expect, BrowserContext, Page } from '@playwright/test';
import * as fs from 'fs';
import * as path from 'path';
import { signedInAdmin, waitForHydration } from '../support/helpers';
import { SERVER } from '../support/server';

type Loaded = { file: string; bytes: number };

/** Records every wasm and js response of `page` with its encoded body size,
 *  and (in `documents`) each HTML page's, which holds any inline script. */
function recordCode(page: Page, documents: Loaded[] = []): Loaded[] {
  const loaded: Loaded[] = [];
  page.on('requestfinished', async (request) => {
    const url = new URL(request.url());
    const sizes = await request.sizes();
    if (request.resourceType() === 'document') documents.push({ file: url.pathname, bytes: sizes.responseBodySize });
    if (!/\.(wasm|js)$/.test(url.pathname)) return;
    loaded.push({ file: path.basename(url.pathname), bytes: sizes.responseBodySize });
  });
  return loaded;
}

/** Bytes of inline script in the page as loaded (uncompressed). */
async function inlineScript(page: Page): Promise<number> {
  return page.evaluate(() => [...document.querySelectorAll('script:not([src])')].reduce((n, s) => n + (s.textContent || '').length, 0));
}

const kb = (bytes: number) => `${(bytes / 1000).toFixed(1)} KB`;
const total = (loaded: Loaded[]) => loaded.reduce((sum, l) => sum + l.bytes, 0);

function wholeApp(): number {
  const pkg = path.join(SERVER.root, 'target', 'site', 'pkg');
  return fs
    .readdirSync(pkg)
    .filter((f) => /\.(wasm|js)\.br$/.test(f))
    .reduce((sum, f) => sum + fs.statSync(path.join(pkg, f)).size, 0);
}

/** Milliseconds until the page is hydrated; then waits for the network to rest. */
async function settle(page: Page, started: number): Promise<number> {
  await waitForHydration(page);
  const ms = Date.now() - started;
  await page.waitForLoadState('networkidle');
  return ms;
}

test('wasm and js per page', async ({ browser }) => {
  const whole = wholeApp();
  const rows: string[] = [
    `| page | wasm + js sent | files | largest | inline script (raw) | HTML as sent | until ready | whole app (every chunk, br) | share |`,
    `|---|---|---|---|---|---|---|---|---|`,
  ];
  const row = (name: string, loaded: Loaded[], inline: number, html: number, ms: number) => {
    const sent = loaded.filter((l) => l.bytes > 0).sort((a, b) => b.bytes - a.bytes);
    const largest = sent.slice(0, 3).map((l) => `${l.file.replace(/\.[A-Za-z0-9_-]{22}\./, '.')} ${kb(l.bytes)}`).join(', ') || '–';
    rows.push(`| ${name} | ${kb(total(sent))} | ${sent.length} | ${largest} | ${kb(inline)} | ${kb(html)} | ${ms} ms | ${kb(whole)} | ${(total(sent) / whole).toFixed(2)}× |`);
  };
  /** Opens `pagePath` in a fresh browser context (empty cache) and adds its row. */
  const measureAlone = async (pagePath: string, name: string, session?: Awaited<ReturnType<BrowserContext['storageState']>>) => {
    const context = await browser.newContext({ storageState: session });
    const page = await context.newPage();
    const documents: Loaded[] = [];
    const loaded = recordCode(page, documents);
    const started = Date.now();
    await page.goto(pagePath);
    const ms = await settle(page, started);
    if (session) await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
    row(name, loaded, await inlineScript(page), total(documents), ms);
    await context.close();
  };
  for (const pagePath of ['/login', '/register', '/forgot', '/reset?token=x', '/verify?token=x', '/invitations/x']) {
    await measureAlone(pagePath, pagePath);
  }
  // Signed-in pages, each in a fresh browser (the session kept, the cache
  // empty): the wasm of the page's bundle (app/src/bundles.rs) and nothing
  // else, since the sign-in page loads none.
  const signedIn = await browser.newContext();
  const { username } = await signedInAdmin(await signedIn.newPage(), 'weight');
  const session = await signedIn.storageState();
  await signedIn.close();
  for (const pagePath of ['/', '/account', '/projects', '/admin', '/admin/users', `/admin/users/${username}`, '/admin/roles', '/admin/settings', '/admin/security', '/admin/statistics']) {
    await measureAlone(pagePath, `${pagePath.replace(username, '{me}')} (empty cache)`, session);
  }
  // One visit through every bundle, the cache kept: what a session downloads.
  const context = await browser.newContext();
  const page = await context.newPage();
  const documents: Loaded[] = [];
  const loaded = recordCode(page, documents);
  await signedInAdmin(page, 'weight');
  for (const adminPath of ['/admin', '/admin/users', '/admin/settings']) {
    documents.length = 0;
    const started = Date.now();
    await page.goto(adminPath);
    const ms = await settle(page, started);
    await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
    row(`sign-in, home, then ${adminPath} (cumulative, cache kept)`, [...loaded], await inlineScript(page), total(documents), ms);
  }
  await context.close();
  console.log(rows.join('\n'));
});
