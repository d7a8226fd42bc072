// The plain pages (sign-in, registration, recovery, invitations) load no
// wasm: their forms post through one small inline script, which keeps what
// was typed when a form is refused and puts the focus on the error.
import { test, expect, Page } from '@playwright/test';
import { createAdmin, expectNoAxeViolations, gotoHydrated, openRegistration, signedInAdmin, uniqueName, watchConsole } from '../support/helpers';

/** Every wasm and js file `page` fetches. */
function codeRequests(page: Page): string[] {
  const urls: string[] = [];
  page.on('request', (request) => {
    if (/\.(wasm|js)$/.test(new URL(request.url()).pathname)) urls.push(request.url());
  });
  return urls;
}

test('sign-in loads no wasm, keeps the username after a wrong password, then goes on', async ({ page }) => {
  const code = codeRequests(page);
  const errors = watchConsole(page);
  const username = uniqueName('plain');
  const oneTime = createAdmin(username);
  await gotoHydrated(page, '/login?next=/account');
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill('not-the-password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert')).toContainText('Invalid username or password');
  await expect(page.getByRole('alert')).toBeFocused();
  await expect(page.getByLabel('Username')).toHaveValue(username);
  await expect(page).toHaveURL(/\/login\?next=\/account$/);
  await expectNoAxeViolations(page);
  expect(code).toEqual([]);

  await page.getByLabel('Password').fill(oneTime);
  await page.getByRole('button', { name: 'Sign in' }).click();
  // A first sign-in must change the one-time password first.
  await expect(page).toHaveURL(/\/account\/password$/);
  await page.locator('body[data-hydrated="true"]').waitFor();
  expect(code.some((url) => url.endsWith('.wasm'))).toBe(true);
  expect(errors).toEqual([]);
});

test('registration refused keeps every typed field and marks the one in error', async ({ page, browser }) => {
  const admin = await (await browser.newContext()).newPage();
  await signedInAdmin(admin, 'plainreg');
  await openRegistration(admin, false, false);
  const code = codeRequests(page);
  await gotoHydrated(page, '/register');
  const username = uniqueName('keep');
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Email').fill(`${username}@example.org`);
  await page.getByLabel('Display name (optional)').fill('Kept Name');
  await page.getByLabel('Password', { exact: true }).fill(`${username}-secret`);
  await page.getByLabel('Confirm password').fill(`${username}-other`);
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page.getByLabel('Confirm password')).toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByLabel('Confirm password')).toBeFocused();
  await expect(page.getByLabel('Username')).toHaveValue(username);
  await expect(page.getByLabel('Email')).toHaveValue(`${username}@example.org`);
  await expect(page.getByLabel('Display name (optional)')).toHaveValue('Kept Name');
  await expectNoAxeViolations(page);
  expect(code).toEqual([]);
});

test('forgot password answers in place, with no wasm', async ({ page }) => {
  const code = codeRequests(page);
  await gotoHydrated(page, '/forgot');
  await page.getByLabel('Username or email').fill('someone-unknown@example.org');
  await page.getByRole('button', { name: 'Email me a reset link' }).click();
  await expect(page.getByRole('status')).toBeVisible();
  await expect(page).toHaveURL(/\/forgot\?sent=1$/);
  expect(code).toEqual([]);
});
