// My sessions and Admin → Sessions: revoking a session signs that browser out.
import { test, expect } from '@playwright/test';
import { expectNoAxeViolations, gotoHydrated, signIn, signedInAdmin, waitForHydration } from '../support/helpers';

test('revoke a session from My sessions; an admin revokes all of a user\'s', async ({ page, browser }) => {
  const { username, password } = await signedInAdmin(page, 'sess');
  const other = await (await browser.newContext({ userAgent: 'Second Browser/1.0' })).newPage();
  await signIn(other, username, password);
  await expect(other).toHaveURL(/\/$/);

  await gotoHydrated(page, '/account');
  const table = page.locator('table.sessions');
  await expect(table.locator('tbody tr')).toHaveCount(2);
  await expect(table).toContainText('This device');
  await expect(table).toContainText('Second Browser/1.0');
  await expectNoAxeViolations(page);
  await table.locator('tbody tr', { hasText: 'Second Browser/1.0' }).getByRole('button', { name: /^Revoke session/ }).click();
  await expect(table.locator('tbody tr')).toHaveCount(1);
  await other.goto('/account');
  await expect(other).toHaveURL(/\/login\?next=\/account$/);

  // Sign the other browser in again; the admin ends all of this user's sessions from Admin → Sessions.
  await waitForHydration(other);
  await other.getByLabel('Username').fill(username);
  await other.getByLabel('Password').fill(password);
  await other.getByRole('button', { name: 'Sign in' }).click();
  await expect(other).toHaveURL(/\/account$/);
  const admin = await (await browser.newContext()).newPage();
  await signedInAdmin(admin, 'sadm');
  await gotoHydrated(admin, `/admin/sessions?user=${username}`);
  await expect(admin.locator('table.sessions tbody tr')).toHaveCount(2);
  await expectNoAxeViolations(admin);
  await admin.getByRole('button', { name: `Revoke all sessions of ${username}` }).click();
  await expect(admin.getByText('No active sessions.')).toBeVisible();
  await other.goto('/');
  await expect(other).toHaveURL(/\/login\?next=\/$/);
  await page.goto('/account');
  await expect(page).toHaveURL(/\/login\?next=\/account$/);
});
