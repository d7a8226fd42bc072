// axe scans of every page so far, signed out and signed in.
import { test, expect } from '@playwright/test';
import { expectNoAxeViolations, signedInAdmin, createAdmin, gotoHydrated, signIn, uniqueName } from '../support/helpers';

test('login page has no axe violations, also with an error shown', async ({ page }) => {
  await gotoHydrated(page, '/login');
  await expectNoAxeViolations(page);
  await signIn(page, 'nobody-at-all', 'wrong-password');
  await expect(page.getByRole('alert')).toBeVisible();
  await expectNoAxeViolations(page);
});

test('forced password page has no axe violations', async ({ page }) => {
  const username = uniqueName('axe');
  await signIn(page, username, createAdmin(username));
  await expect(page).toHaveURL(/\/account\/password$/);
  await expectNoAxeViolations(page);
});

test('signed-in pages have no axe violations', async ({ page }) => {
  await signedInAdmin(page, 'axe');
  for (const path of ['/', '/account', '/admin']) {
    await gotoHydrated(page, path);
    await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
    await expectNoAxeViolations(page);
  }
  await gotoHydrated(page, '/account');
  await page.getByLabel('Current password').fill('x');
  await page.getByLabel('New password', { exact: true }).fill('y');
  await page.getByLabel('Confirm new password').fill('z');
  await page.getByRole('button', { name: 'Change password' }).click();
  await expect(page.locator('.field-error').first()).toBeVisible();
  await expectNoAxeViolations(page);
});
