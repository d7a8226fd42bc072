// Re-authentication for sensitive actions: with a sign-in proven an hour
// ago (moved back in the test database), creating an access token opens
// the password dialog; Escape closes it and gives the focus back; a wrong
// password is an inline error; the right one confirms and the token is
// made. axe finds nothing with the dialog open. Without JavaScript, the
// form goes to the confirm page and back.
import { test, expect } from '@playwright/test';
import { execFileSync } from 'child_process';
import * as path from 'path';
import { expectNoAxeViolations, gotoHydrated, signedInAdmin } from '../support/helpers';
import { SERVER } from '../support/server';

/** Moves the time `username`'s sessions last proved their sign-in `minutes` back. */
function proveSignInAgo(username: string, minutes: number) {
  const db = path.join(SERVER.stateDir, 'e2e.db');
  const at = Date.now() - minutes * 60_000;
  const sql = `UPDATE sessions SET data = json_set(data, '$.proven', ${at}) ` +
    `WHERE user_id = (SELECT id FROM users WHERE username = '${username}') AND json_extract(data, '$.proven') IS NOT NULL;`;
  execFileSync('sqlite3', ['-cmd', '.timeout 5000', db, sql]);
}

test('an old sign-in confirms the password in a dialog, then the action goes on', async ({ page }) => {
  const { username, password } = await signedInAdmin(page, 'sudo');
  proveSignInAgo(username, 60);
  await gotoHydrated(page, '/account/keys');
  await expect(page.getByText('No access tokens yet.')).toBeVisible();
  await page.getByLabel('Token name').fill('after confirming');
  const create = page.getByRole('button', { name: 'Create token' });
  await create.click();

  const dialog = page.getByRole('dialog', { name: 'Confirm your password' });
  await expect(dialog).toBeVisible();
  await expect(dialog.getByLabel('Password')).toBeFocused();
  await expectNoAxeViolations(page);

  // Escape closes it, the focus goes back, and nothing was made.
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
  await expect(create).toBeFocused();
  await expect(page.getByText('No access tokens yet.')).toBeVisible();

  await create.click();
  await expect(dialog).toBeVisible();
  await dialog.getByLabel('Password').fill('not-the-password');
  await dialog.getByRole('button', { name: 'Confirm' }).click();
  await expect(dialog.locator('.field-error')).toContainText('That password is not right');
  await expect(dialog.getByLabel('Password')).toHaveAttribute('aria-invalid', 'true');
  await expectNoAxeViolations(page);

  await dialog.getByLabel('Password').fill(password);
  await dialog.getByRole('button', { name: 'Confirm' }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByLabel('Your new token')).toHaveValue(/^gh_pat_[A-Za-z0-9]{40}$/);
  await expect(page.locator('table.tokens')).toContainText('after confirming');
});

test('without JavaScript, a refused form goes to the confirm page, which comes back', async ({ page, browser }) => {
  const { username, password } = await signedInAdmin(page, 'sudonojs');
  const context = await browser.newContext({ javaScriptEnabled: false, storageState: await page.context().storageState() });
  const plain = await context.newPage();
  proveSignInAgo(username, 60);
  await plain.goto('/account/keys');
  await plain.getByLabel('Token name').fill('plain form');
  await plain.getByRole('button', { name: 'Create token' }).click();
  await expect(plain).toHaveURL(/\/reauth\?next=\/account\/keys$/);
  await expect(plain.getByRole('heading', { name: 'Confirm your password' })).toBeVisible();
  // axe runs as a script in the page, so it scans the same page where JavaScript is on.
  await page.goto(new URL(plain.url()).pathname + new URL(plain.url()).search);
  await expect(page.getByRole('heading', { name: 'Confirm your password' })).toBeVisible();
  await expectNoAxeViolations(page);
  const confirmPage = plain.getByRole('main');
  await confirmPage.getByRole('textbox', { name: 'Password' }).fill(password);
  await confirmPage.getByRole('button', { name: 'Confirm' }).click();
  await expect(plain).toHaveURL(/\/account\/keys$/);
  await plain.getByLabel('Token name').fill('plain form');
  await plain.getByRole('button', { name: 'Create token' }).click();
  await expect(plain.locator('table.tokens')).toContainText('plain form');
  await context.close();
});
