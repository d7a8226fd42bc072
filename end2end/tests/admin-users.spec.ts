// Admin → Users and Roles in the browser: create, sign in as the new user
// elsewhere, edit, disable, search and page, and axe scans of each page.
import { test, expect, Browser, Page } from '@playwright/test';
import { expectNoAxeViolations, gotoHydrated, signIn, signedInAdmin, uniqueName, waitForHydration } from '../support/helpers';

async function createUserInBrowser(page: Page, username: string, password: string) {
  await gotoHydrated(page, '/admin/users/new');
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Display name (optional)').fill(`Person ${username}`);
  await page.getByLabel('Email (optional)').fill(`${username}@example.org`);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Create user' }).click();
  await expect(page).toHaveURL(new RegExp(`/admin/users/${username}\\?created=1$`));
  await expect(page.getByRole('status')).toHaveText('User created.');
}

async function secondBrowser(browser: Browser, username: string, password: string): Promise<Page> {
  const context = await browser.newContext();
  const page = await context.newPage();
  await signIn(page, username, password);
  await expect(page).toHaveURL(/\/$/);
  await waitForHydration(page);
  await expect(page.getByText(`Signed in as ${username}`)).toBeVisible();
  return page;
}

test('create a user, who signs in at once; a blank password edit keeps it; disabling signs them out', async ({ page, browser }) => {
  await signedInAdmin(page, 'uadm');
  const username = uniqueName('new');
  const password = `${username}-password`;
  await createUserInBrowser(page, username, password);

  const other = await secondBrowser(browser, username, password);
  await expect(other.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Admin' })).toHaveCount(0);

  // Edit the display name with the password left blank.
  await waitForHydration(page);
  await page.getByLabel('Display name').fill('Renamed Person');
  await page.getByRole('button', { name: 'Save changes' }).click();
  await expect(page.getByRole('status')).toHaveText('Changes saved.');
  await expect(page.getByLabel('Display name')).toHaveValue('Renamed Person');
  const third = await secondBrowser(browser, username, password);
  await third.context().close();

  // Disable: their open browser is sent to sign in on its next request.
  await page.getByRole('button', { name: 'Disable user' }).click();
  await expect(page.getByRole('status')).toHaveText('User disabled: their sessions have ended.');
  await other.goto('/account');
  await expect(other).toHaveURL(/\/login\?next=\/account$/);
  await other.context().close();
});

test('a wrong create shows inline errors and keeps the form', async ({ page }) => {
  await signedInAdmin(page, 'uerr');
  await gotoHydrated(page, '/admin/users/new');
  await page.getByLabel('Username').fill('-bad name');
  await page.getByLabel('Password').fill('long-enough-password');
  await page.getByRole('button', { name: 'Create user' }).click();
  await expect(page.getByText('Username may only contain letters, digits, dots, underscores and hyphens')).toBeVisible();
  await expect(page.getByLabel('Username')).toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByLabel('Password')).toHaveValue('long-enough-password');
  await expectNoAxeViolations(page);
});

test('search and paging through the user list', async ({ page }) => {
  const { username: adminName } = await signedInAdmin(page, 'usrch');
  const tag = uniqueName('pg');
  // 55 users whose names share a tag: more than one page of 50.
  for (let i = 0; i < 55; i++) {
    const res = await page.request.post('/api/admin/users/create', {
      form: { username: `${tag}${String(i).padStart(2, '0')}`, display_name: '', email: '', password: 'fixture-password', 'roles[0]': 'user' },
    });
    expect(res.status()).toBe(200);
  }
  await gotoHydrated(page, '/admin/users');
  await page.getByLabel('Search').fill(tag);
  await page.getByRole('button', { name: 'Apply', exact: true }).click();
  await expect(page).toHaveURL(new RegExp(`search=${tag}`));
  await expect(page.locator('table.users tbody tr')).toHaveCount(50);
  await expect(page.locator('table.users tbody tr').first()).toContainText(`${tag}54`);
  await page.getByRole('link', { name: 'Next page' }).click();
  await expect(page.locator('table.users tbody tr')).toHaveCount(5);
  await expect(page.getByRole('link', { name: 'Next page' })).toHaveCount(0);
  await expect(page.locator('table.users tbody tr').last()).toContainText(`${tag}00`);

  await page.getByLabel('Search').fill('no-such-person-at-all');
  await page.getByRole('button', { name: 'Apply', exact: true }).click();
  await expect(page.getByText('No users match these filters.')).toBeVisible();
  expect(adminName).toBeTruthy();
});

test('admin pages have no axe violations', async ({ page }) => {
  const { username } = await signedInAdmin(page, 'uaxe');
  for (const path of ['/admin', '/admin/users', '/admin/users/new', `/admin/users/${username}`, '/admin/roles', '/admin/sessions', '/admin/users/import']) {
    await gotoHydrated(page, path);
    await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
    await expectNoAxeViolations(page);
  }
});

test('roles: create a custom role and delete it after a confirmation', async ({ page }) => {
  await signedInAdmin(page, 'urole');
  await gotoHydrated(page, '/admin/roles');
  const role = uniqueName('role');
  await page.getByLabel('Role name').fill(role);
  await page.getByRole('button', { name: 'Create role' }).click();
  await expect(page.getByRole('cell', { name: role, exact: true })).toBeVisible();
  await page.getByLabel('Role name').fill(role.toUpperCase());
  await page.getByRole('button', { name: 'Create role' }).click();
  await expect(page.getByText(`Role already exists: ${role.toUpperCase()}`)).toBeVisible();
  await page.getByRole('button', { name: `Delete ${role}` }).click();
  await expect(page.getByRole('alertdialog')).toContainText('0 user(s) hold it');
  await page.getByRole('alertdialog').getByRole('button', { name: `Delete ${role}` }).click();
  await expect(page.getByRole('cell', { name: role, exact: true })).toHaveCount(0);
});

test('a bulk disable with one refused row shows the report', async ({ page }) => {
  const { username: me } = await signedInAdmin(page, 'ubulk');
  const tag = uniqueName('bk');
  for (const n of ['a', 'b']) {
    const res = await page.request.post('/api/admin/users/create', {
      form: { username: `${tag}${n}`, display_name: '', email: '', password: 'fixture-password', 'roles[0]': 'user' },
    });
    expect(res.status()).toBe(200);
  }
  await gotoHydrated(page, '/admin/users');
  await page.getByLabel('Search').fill(tag);
  await page.getByRole('button', { name: 'Apply', exact: true }).click();
  await expect(page.locator('table.users tbody tr')).toHaveCount(2);
  await page.getByLabel('Select all users on this page').check();
  // Add myself from a search for my own name: selections survive filtering.
  await page.getByLabel('Search').fill(me);
  await page.getByRole('button', { name: 'Apply', exact: true }).click();
  await expect(page.locator('table.users tbody tr')).toHaveCount(1);
  await page.getByLabel(`Select ${me}`).check();
  await expect(page.getByText('3 selected')).toBeVisible();
  await page.getByLabel('Action', { exact: true }).selectOption('disable');
  await page.getByRole('button', { name: 'Apply to selected' }).click();
  const report = page.locator('.bulk-report');
  await expect(report.getByRole('heading')).toHaveText('Done for 2, refused for 1');
  await expect(report.locator('li.refused')).toContainText(`${me}: refused — You cannot disable your own account`);
  await expect(report.locator('li.done')).toHaveCount(2);
  await expectNoAxeViolations(page);
});

test('a CSV import with one bad row: check, then import', async ({ page }) => {
  await signedInAdmin(page, 'uimp');
  const tag = uniqueName('im');
  const csv = [
    'username,display_name,email,roles,enabled',
    `${tag}a,First Person,${tag}a@example.org,user,true`,
    `bad name ${tag},Broken,,,`,
    `${tag}b,"Second, Person",,all_data_access,false`,
  ].join('\n');
  await gotoHydrated(page, '/admin/users/import');
  await page.getByLabel('CSV file').setInputFiles({ name: 'users.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
  await expect(page.getByText('3 rows in the file.')).toBeVisible();
  await page.getByRole('button', { name: 'Check file' }).click();
  await expect(page.getByRole('status')).toHaveText('Checked 3 rows: 2 can be created, 1 have problems. Nothing was changed.');
  await expect(page.locator('table.problems tbody tr')).toHaveCount(1);
  await expect(page.locator('table.problems tbody tr')).toContainText('3');
  await expect(page.locator('table.problems tbody tr')).toContainText('Username may only contain');
  await expectNoAxeViolations(page);

  await page.getByRole('button', { name: 'Import', exact: true }).click();
  await expect(page.getByRole('status')).toHaveText('Imported 3 rows: 2 created, 1 refused.');
  await gotoHydrated(page, `/admin/users?search=${tag}`);
  await expect(page.locator('table.users tbody tr')).toHaveCount(2);
  await expect(page.locator('table.users tbody')).toContainText('Second, Person');
  await expect(page.locator('table.users tbody')).toContainText('Disabled');
});
