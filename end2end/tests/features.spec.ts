// Feature permissions in the browser: an owner blocks "Manage files" for
// Members on the project's Features tab and a member's data page no longer
// offers Upload; axe finds nothing on Admin → Features or the tab.
import { test, expect, Browser, Page } from '@playwright/test';
import { expectNoAxeViolations, gotoHydrated, signIn, signedInAdmin, uniqueName, waitForHydration, watchConsole } from '../support/helpers';

async function createUser(admin: Page, prefix: string): Promise<{ username: string; password: string }> {
  const username = uniqueName(prefix);
  const password = `${username}-password`;
  const res = await admin.request.post('/users', { data: { userName: username, password, email: `${username}@example.org` } });
  expect(res.status()).toBe(201);
  return { username, password };
}

async function browserFor(browser: Browser, user: { username: string; password: string }): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  await signIn(page, user.username, user.password);
  await expect(page).toHaveURL(/\/$/);
  await waitForHydration(page);
  return page;
}

test('an owner blocks Manage files for Members and the member loses Upload', async ({ page, browser }) => {
  await signedInAdmin(page, 'fadm');
  const owner = await createUser(page, 'fown');
  const member = await createUser(page, 'fmem');
  const ownerPage = await browserFor(browser, owner);
  const memberPage = await browserFor(browser, member);
  const errors = watchConsole(ownerPage);
  const slug = uniqueName('f');
  expect((await ownerPage.request.post('/orgs', { data: { slug, name: `Lab ${slug}`, accessibility: 'private' } })).status()).toBe(201);
  expect((await ownerPage.request.put(`/data/projects/${slug}/users/Members/${member.username}`)).status()).toBe(200);
  expect((await ownerPage.request.post('/api/projects/datasets/create', { form: { slug, name: 'ds', description: '' } })).status()).toBe(200);

  await gotoHydrated(memberPage, `/projects/${slug}/datasets/ds`);
  await expect(memberPage.getByRole('heading', { name: 'Upload a file' })).toBeVisible();

  await gotoHydrated(ownerPage, `/projects/${slug}`);
  await ownerPage.getByRole('link', { name: 'Features' }).click();
  await expect(ownerPage).toHaveURL(new RegExp(`/projects/${slug}/features$`));
  await waitForHydration(ownerPage);
  const cell = ownerPage.getByLabel('Manage files for Members');
  await expect(cell).toHaveValue('default');
  await expectNoAxeViolations(ownerPage);
  await cell.selectOption('blocked');
  await expect(ownerPage.getByRole('status')).toContainText('Saved');
  await expect(ownerPage.getByLabel('Manage files for Members')).toHaveValue('blocked');
  await expectNoAxeViolations(ownerPage);

  await gotoHydrated(memberPage, `/projects/${slug}/datasets/ds`);
  await expect(memberPage.getByRole('heading', { name: 'ds' })).toBeVisible();
  await expect(memberPage.getByRole('heading', { name: 'Upload a file' })).toHaveCount(0);
  const refused = await memberPage.request.put(`/files/${slug}/ds/sneaky.txt`, { data: 'x' });
  expect(refused.status()).toBe(403);
  expect(await refused.json()).toEqual({ error: 'This feature is not enabled for you in this project: Manage files' });
  expect(errors).toEqual([]);
});

test('Admin → Features lists the definitions and saves a site-wide block', async ({ page }) => {
  await signedInAdmin(page, 'fsite');
  await gotoHydrated(page, '/admin/features');
  await expect(page.getByRole('heading', { name: 'Features', exact: true })).toBeVisible();
  await expect(page.getByRole('rowheader', { name: /Manage files/ })).toBeVisible();
  await expect(page.getByText('built in (gatehouse-feature-definition.properties)').first()).toBeVisible();
  await expectNoAxeViolations(page);
  const cell = page.getByLabel('Download files for Collaborators');
  await cell.selectOption('blocked');
  await expect(page.getByRole('status')).toContainText('Saved');
  await expect(page.getByLabel('Download files for Collaborators')).toHaveValue('blocked');
  await page.screenshot({ path: 'test-results/admin-features.png', fullPage: true });
  await page.getByLabel('Download files for Collaborators').selectOption('default');
  await expect(page.getByLabel('Download files for Collaborators')).toHaveValue('default');
});
