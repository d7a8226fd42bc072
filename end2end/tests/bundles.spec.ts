// The browser app in bundles (app/src/bundles.rs): each page loads the wasm
// of its bundle only, hydrates, and a link within the app to a page of
// another bundle loads that page whole from the server; a link within one
// bundle stays in the app. Back and forward work across bundles.
import { test, expect, Page } from '@playwright/test';
import { signedInAdmin, waitForHydration, watchConsole } from '../support/helpers';

/** The wasm files `page` fetched, by file name. */
function recordWasm(page: Page): string[] {
  const fetched: string[] = [];
  page.on('request', (request) => {
    const name = new URL(request.url()).pathname.split('/').pop() || '';
    if (name.endsWith('.wasm')) fetched.push(name);
  });
  return fetched;
}

/** Marks the current document, so a test can tell whether it was replaced. */
async function markDocument(page: Page) {
  await page.evaluate(() => ((window as unknown as { sameDocument: boolean }).sameDocument = true));
}

async function isSameDocument(page: Page): Promise<boolean> {
  return page.evaluate(() => (window as unknown as { sameDocument?: boolean }).sameDocument === true);
}

test('each bundle hydrates its pages; links across bundles load the page from the server', async ({ page }) => {
  const errors = watchConsole(page);
  const wasm = recordWasm(page);
  await signedInAdmin(page, 'bundle');
  const homeWasm = wasm[wasm.length - 1];
  expect(homeWasm).toBeTruthy();

  // Home → Admin: another bundle, so a new document with another wasm.
  await markDocument(page);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Admin' }).click();
  await expect(page).toHaveURL(/\/admin$/);
  await expect(page.getByRole('heading', { name: 'Site overview' })).toBeVisible();
  await waitForHydration(page);
  expect(await isSameDocument(page)).toBe(false);
  const adminPeopleWasm = wasm[wasm.length - 1];
  expect(adminPeopleWasm).not.toEqual(homeWasm);

  // Overview → Users → Roles: the same bundle, so the app renders them in place.
  await markDocument(page);
  await page.getByRole('link', { name: 'Users', exact: true }).first().click();
  await expect(page).toHaveURL(/\/admin\/users$/);
  await expect(page.getByRole('heading', { name: 'Users', exact: true })).toBeVisible();
  await page.getByRole('link', { name: 'Roles', exact: true }).first().click();
  await expect(page).toHaveURL(/\/admin\/roles$/);
  await expect(page.getByRole('heading', { name: 'Site roles' })).toBeVisible();
  expect(await isSameDocument(page)).toBe(true);

  // Roles → Settings: the other admin bundle.
  await page.getByRole('link', { name: 'Settings', exact: true }).first().click();
  await expect(page).toHaveURL(/\/admin\/settings$/);
  await expect(page.getByRole('heading', { name: 'Site settings' })).toBeVisible();
  await waitForHydration(page);
  expect(await isSameDocument(page)).toBe(false);
  expect(wasm[wasm.length - 1]).not.toEqual(adminPeopleWasm);
  expect(wasm[wasm.length - 1]).not.toEqual(homeWasm);

  // Back to the roles, then forward to the settings again.
  await page.goBack();
  await expect(page).toHaveURL(/\/admin\/roles$/);
  await expect(page.getByRole('heading', { name: 'Site roles' })).toBeVisible();
  await waitForHydration(page);
  await page.goForward();
  await expect(page).toHaveURL(/\/admin\/settings$/);
  await expect(page.getByRole('heading', { name: 'Site settings' })).toBeVisible();

  // An address with a trailing slash loads the same bundle as without.
  await page.goto('/admin/users/');
  await waitForHydration(page);
  await page.goto('/admin/');
  await waitForHydration(page);

  // An unknown admin address is the not-found page, hydrated, not a reload loop.
  await page.goto('/admin/nowhere');
  await waitForHydration(page);
  await markDocument(page);
  await expect(page.getByRole('heading', { name: /not found/i })).toBeVisible();
  await page.waitForTimeout(300);
  expect(await isSameDocument(page)).toBe(true);

  expect(errors).toEqual([]);
});
