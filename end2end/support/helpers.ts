// Shared steps: reading the server state, creating admins with the CLI,
// signing in, and an accessibility scan.
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import { expect, Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { SERVER, ServerState } from './server';

export function serverState(): ServerState {
  return JSON.parse(fs.readFileSync(SERVER.stateFile, 'utf8'));
}

/** Runs `gatehouse create-admin` against the test database; returns the one-time password. */
export function createAdmin(username: string): string {
  const out = execFileSync(SERVER.binary, ['create-admin', username], {
    cwd: SERVER.root,
    env: { ...process.env, DATABASE_URL: SERVER.databaseURL, GATEHOUSE_LOG_LEVEL: 'warn' },
  }).toString();
  const match = out.match(/One-time password: (\S+)/);
  if (!match) throw new Error(`no password in: ${out}`);
  return match[1];
}

export function uniqueName(prefix: string): string {
  return `${prefix}${Date.now().toString(36)}${Math.floor(Math.random() * 1000)}`;
}

/** Opens `path` and waits until the browser app has hydrated the page. */
export async function gotoHydrated(page: Page, path: string) {
  await page.goto(path);
  await waitForHydration(page);
}

export async function waitForHydration(page: Page) {
  await page.locator('body[data-hydrated="true"]').waitFor();
}

export async function signIn(page: Page, username: string, password: string) {
  await gotoHydrated(page, '/login');
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/** Creates an admin with the CLI, signs in and replaces the one-time password. */
export async function signedInAdmin(page: Page, prefix = 'adm'): Promise<{ username: string; password: string }> {
  const username = uniqueName(prefix);
  const oneTime = createAdmin(username);
  const password = `${username}-long-passphrase`;
  await signIn(page, username, oneTime);
  await expect(page).toHaveURL(/\/account\/password$/);
  await page.getByLabel('Current password').fill(oneTime);
  await page.getByLabel('New password', { exact: true }).fill(password);
  await page.getByLabel('Confirm new password').fill(password);
  await page.getByRole('button', { name: 'Save new password' }).click();
  await expect(page).toHaveURL(/\/$/);
  await waitForHydration(page);
  await expect(page.getByText(`Signed in as ${username}`)).toBeVisible();
  return { username, password };
}

/** Admin → Settings: opens registration with the given verification/approval rules. */
export async function openRegistration(admin: Page, verify: boolean, approve: boolean) {
  await gotoHydrated(admin, '/admin/settings');
  await admin.getByLabel('Anyone may create an account', { exact: false }).check();
  await admin.getByLabel('New accounts must confirm their email address').setChecked(verify);
  await admin.getByLabel('New accounts must be approved by an admin').setChecked(approve);
  await admin.getByLabel('Minimum password length').fill('8');
  await admin.getByRole('button', { name: 'Save settings' }).click();
  await expect(admin.getByRole('status')).toHaveText('Settings saved.');
}

/** Fails on any axe violation, listing them. */
export async function expectNoAxeViolations(page: Page) {
  const results = await new AxeBuilder({ page }).analyze();
  const summary = results.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target).join(', ')})`);
  expect(summary).toEqual([]);
}

/**
 * Collects console errors (CSP violations, hydration panics) on a page.
 * Refused requests (a 400 for a bad form) are expected and left out.
 */
export function watchConsole(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error' && !msg.text().startsWith('Failed to load resource')) errors.push(msg.text());
  });
  page.on('pageerror', (err) => errors.push(err.message));
  return errors;
}
