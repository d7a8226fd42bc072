// Signing in and out, and the wrong-password message.
import { test, expect } from '@playwright/test';
import { gotoHydrated, signIn, signedInAdmin, waitForHydration, watchConsole } from '../support/helpers';

test('login and logout', async ({ page, context }) => {
  const errors = watchConsole(page);
  const { username, password } = await signedInAdmin(page, 'inout');
  await page.getByRole('button', { name: 'Log out' }).click();
  await expect(page).toHaveURL(/\/login$/);
  await expect(page.getByRole('link', { name: 'Sign in' })).toBeVisible();
  await page.goto('/account');
  await expect(page).toHaveURL(/\/login\?next=\/account$/);
  await waitForHydration(page);

  // Signing in returns to the page that asked for it.
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/account$/);
  await expect(page.getByRole('heading', { name: 'My account' })).toBeVisible();
  expect((await context.cookies()).find((c) => c.name === 'gatehouse_session')?.httpOnly).toBe(true);
  expect(errors).toEqual([]);
});

test('a wrong password shows one plain message', async ({ page }) => {
  const { username } = await signedInAdmin(page, 'wrong');
  await page.getByRole('button', { name: 'Log out' }).click();
  await expect(page).toHaveURL(/\/login$/);

  await signIn(page, username, 'definitely-not-it');
  const alert = page.getByRole('alert');
  await expect(alert).toHaveText('Invalid username or password');
  await expect(page).toHaveURL(/\/login$/);

  await signIn(page, 'no-such-user-anywhere', 'definitely-not-it');
  await expect(page.getByRole('alert')).toHaveText('Invalid username or password');
});

test('changing the password on My account signs out the other browser', async ({ page, browser }) => {
  const { username, password } = await signedInAdmin(page, 'chg');
  const other = await (await browser.newContext()).newPage();
  await signIn(other, username, password);
  await expect(other).toHaveURL(/\/$/);
  await waitForHydration(other);
  await expect(other.getByText(`Signed in as ${username}`)).toBeVisible();
  await gotoHydrated(page, '/account');
  await page.getByLabel('Current password').fill('not-the-current-one');
  await page.getByLabel('New password', { exact: true }).fill('another-long-passphrase');
  await page.getByLabel('Confirm new password').fill('another-long-passphrase');
  await page.getByRole('button', { name: 'Change password' }).click();
  await expect(page.getByText('Current password is incorrect')).toBeVisible();

  await page.getByLabel('Current password').fill(password);
  await page.getByRole('button', { name: 'Change password' }).click();
  await expect(page.getByRole('status')).toHaveText('Your password has been changed.');
  await other.goto('/account');
  await expect(other).toHaveURL(/\/login\?next=\/account$/);
  await gotoHydrated(page, '/account');
  await expect(page.getByText(`Signed in as ${username}`)).toBeVisible();
  await other.context().close();
});
