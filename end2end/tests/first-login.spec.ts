// The first admin signs in with the password the server printed and must
// choose a new one before doing anything else.
import { test, expect } from '@playwright/test';
import { serverState, signIn, waitForHydration, watchConsole } from '../support/helpers';

test('first login with the printed password forces a password change', async ({ page }) => {
  const errors = watchConsole(page);
  const oneTime = serverState().adminPassword;

  await page.goto('/');
  await expect(page).toHaveURL(/\/login\?next=\/$/);
  await signIn(page, 'admin', oneTime);
  await expect(page).toHaveURL(/\/account\/password$/);
  await waitForHydration(page);
  await expect(page.getByRole('heading', { name: 'Choose a new password' })).toBeVisible();
  await expect(page.getByRole('navigation', { name: 'Main' })).toBeHidden();

  // Nothing else is reachable until the password is changed.
  await page.goto('/admin');
  await expect(page).toHaveURL(/\/account\/password$/);
  await waitForHydration(page);

  // Inline errors: mismatched confirmation, then a too-short password.
  await page.getByLabel('Current password').fill(oneTime);
  await page.getByLabel('New password', { exact: true }).fill('admin-new-passphrase');
  await page.getByLabel('Confirm new password').fill('something-else');
  await page.getByRole('button', { name: 'Save new password' }).click();
  await expect(page.getByText('The two new passwords do not match')).toBeVisible();
  await expect(page.getByLabel('Confirm new password')).toHaveAttribute('aria-invalid', 'true');

  await page.getByLabel('New password', { exact: true }).fill('short');
  await page.getByLabel('Confirm new password').fill('short');
  await page.getByRole('button', { name: 'Save new password' }).click();
  await expect(page.getByText('Password must be at least 8 characters long')).toBeVisible();

  await page.getByLabel('New password', { exact: true }).fill('admin-new-passphrase');
  await page.getByLabel('Confirm new password').fill('admin-new-passphrase');
  await page.getByRole('button', { name: 'Save new password' }).click();
  await expect(page).toHaveURL(/\/$/);
  await waitForHydration(page);
  await expect(page.getByText('Signed in as admin')).toBeVisible();
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Admin' }).click();
  await expect(page.getByRole('heading', { name: 'Site overview' })).toBeVisible();
  expect(errors).toEqual([]);
});
