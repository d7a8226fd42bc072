// Registration, email verification and password reset in the browser, with
// the links read from Admin → Outbox (the test server has no SMTP), and
// Admin → Settings. Every page added for this is scanned with axe.
import { test, expect, Page } from '@playwright/test';
import { expectNoAxeViolations, gotoHydrated, openRegistration, signIn, signedInAdmin, uniqueName, waitForHydration } from '../support/helpers';

/** The link to `path` in the newest outbox message to `email` about `subject`. */
async function linkFromOutbox(admin: Page, email: string, subject: string, path: string): Promise<string> {
  await gotoHydrated(admin, '/admin/outbox');
  const row = admin.locator('table.outbox tbody tr', { hasText: email }).filter({ hasText: subject }).first();
  await row.getByRole('button', { name: new RegExp(subject) }).click();
  const body = row.locator('pre.mail-body');
  await expect(body).toContainText(`${path}?token=`);
  const match = (await body.innerText()).match(new RegExp(`https?://\\S+(${path.replace('/', '\\/')}\\?token=[0-9a-f]+)`));
  expect(match).not.toBeNull();
  return match![1];
}

async function register(page: Page, username: string, email: string, password: string) {
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Display name (optional)').fill('Browser Person');
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByLabel('Confirm password').fill(password);
  await page.getByRole('button', { name: 'Create account' }).click();
}

test('settings, registration with email verification through the outbox', async ({ page, browser }) => {
  await signedInAdmin(page, 'regadm');
  await gotoHydrated(page, '/admin/settings');
  await expect(page.getByRole('heading', { name: 'Site settings' })).toBeVisible();
  await expectNoAxeViolations(page);
  await page.getByLabel('Minimum password length').fill('0');
  await page.getByRole('button', { name: 'Save settings' }).click();
  await expect(page.locator('#password_min_length-error')).toContainText('from 1 to 128');
  await expect(page.getByLabel('Minimum password length')).toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByLabel('Minimum password length')).toHaveValue('0');
  await expectNoAxeViolations(page);
  await openRegistration(page, true, false);

  const visitor = await (await browser.newContext()).newPage();
  await gotoHydrated(visitor, '/login');
  await visitor.getByRole('link', { name: 'Create an account' }).click();
  await expect(visitor).toHaveURL(/\/register$/);
  await waitForHydration(visitor);
  await expectNoAxeViolations(visitor);

  const username = uniqueName('reg');
  const email = `${username}@example.org`;
  await register(visitor, username, email, 'password');
  await expect(visitor.locator('#field-password-error')).toContainText('most common passwords');
  await expectNoAxeViolations(visitor);
  await register(visitor, username, email, `${username}-secret`);
  await expect(visitor.getByRole('status')).toContainText('Check your email');

  await signIn(visitor, username, `${username}-secret`);
  await expect(visitor.getByRole('alert')).toContainText('verify your email');

  await gotoHydrated(page, '/admin/outbox');
  await expect(page.getByRole('heading', { name: 'Outbox' })).toBeVisible();
  await expect(page.getByRole('note')).toContainText('No SMTP server is configured');
  await expectNoAxeViolations(page);
  const link = await linkFromOutbox(page, email, 'Confirm your email address', '/verify');
  await expectNoAxeViolations(page);

  await gotoHydrated(visitor, link);
  await expectNoAxeViolations(visitor);
  await visitor.getByRole('button', { name: 'Confirm my email address' }).click();
  await expect(visitor.getByRole('status')).toContainText('Your email address is confirmed');
  await signIn(visitor, username, `${username}-secret`);
  await expect(visitor).toHaveURL(/\/$/);
  await expect(visitor.getByText(`Signed in as ${username}`)).toBeVisible();

  // Profile: a new email waits for its link; the old one stays.
  await gotoHydrated(visitor, '/account');
  await expect(visitor.getByLabel('Email')).toHaveValue(email);
  await visitor.getByLabel('Email').fill(`new-${email}`);
  // A new address asks for the current password.
  await visitor.getByRole('button', { name: 'Save profile' }).click();
  await expect(visitor.getByText('Enter your current password to change your email address')).toBeVisible();
  await visitor.getByLabel('Your password').fill(`${username}-secret`);
  await visitor.getByRole('button', { name: 'Save profile' }).click();
  await expect(visitor.getByRole('status')).toContainText(`We sent a link to new-${email}`);
  await expect(visitor.getByText(`Your email stays ${email} until then`)).toBeVisible();
  await expectNoAxeViolations(visitor);
});

test('forgot password: reset link from the outbox, used once', async ({ page, browser }) => {
  await signedInAdmin(page, 'rstadm');
  await openRegistration(page, false, false);
  const visitor = await (await browser.newContext()).newPage();
  const username = uniqueName('rst');
  const email = `${username}@example.org`;
  await gotoHydrated(visitor, '/register');
  await register(visitor, username, email, `${username}-first`);
  await expect(visitor.getByRole('status')).toContainText('You can sign in now');

  await gotoHydrated(visitor, '/login');
  await visitor.getByRole('link', { name: 'Forgot login or password?' }).click();
  await expect(visitor).toHaveURL(/\/forgot$/);
  await waitForHydration(visitor);
  await expectNoAxeViolations(visitor);
  await visitor.getByLabel('Username or email').fill(email);
  await visitor.getByRole('button', { name: 'Email me a reset link' }).click();
  await expect(visitor.getByRole('status')).toContainText('If an account matches');
  await expectNoAxeViolations(visitor);

  const link = await linkFromOutbox(page, email, 'password reset link', '/reset');
  await gotoHydrated(visitor, link);
  await expectNoAxeViolations(visitor);
  await visitor.getByLabel('New password', { exact: true }).fill(`${username}-second`);
  await visitor.getByLabel('Confirm new password').fill('something-else');
  await visitor.getByRole('button', { name: 'Save new password' }).click();
  await expect(visitor.locator('#field-confirm_password-error')).toContainText('do not match');
  await expectNoAxeViolations(visitor);
  await visitor.getByLabel('Confirm new password').fill(`${username}-second`);
  await visitor.getByRole('button', { name: 'Save new password' }).click();
  await expect(visitor.getByRole('status')).toContainText('Your password has been changed');

  // The same link again: refused, with a way to get a new one.
  await gotoHydrated(visitor, link);
  await visitor.getByLabel('New password', { exact: true }).fill(`${username}-third`);
  await visitor.getByLabel('Confirm new password').fill(`${username}-third`);
  await visitor.getByRole('button', { name: 'Save new password' }).click();
  await expect(visitor.getByRole('alert')).toContainText('already been used');
  await expect(visitor.getByRole('link', { name: 'Ask for a new link' })).toBeVisible();

  await signIn(visitor, username, `${username}-second`);
  await expect(visitor).toHaveURL(/\/$/);
});
