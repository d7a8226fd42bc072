// Projects in the browser: ask for access and get it in a second browser,
// invite and accept, upload and download, a collaborator's view, and axe
// scans of every project page.
import { test, expect, Browser, Page } from '@playwright/test';
import { execFileSync } from 'child_process';
import * as path from 'path';
import { SERVER } from '../support/server';
import { expectNoAxeViolations, gotoHydrated, signIn, signedInAdmin, uniqueName, waitForHydration } from '../support/helpers';

/** Creates an ordinary user through the registry API with the admin's session. */
async function createUser(admin: Page, prefix: string): Promise<{ username: string; password: string; email: string }> {
  const username = uniqueName(prefix);
  const password = `${username}-password`;
  const email = `${username}@example.org`;
  const res = await admin.request.post('/users', { data: { userName: username, password, email } });
  expect(res.status()).toBe(201);
  return { username, password, email };
}

async function browserFor(browser: Browser, user: { username: string; password: string }): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  await signIn(page, user.username, user.password);
  await expect(page).toHaveURL(/\/$/);
  await waitForHydration(page);
  return page;
}

/** Creates a project from the Projects page and lands on it. */
async function createProject(page: Page, accessibility: 'public' | 'protected' | 'private'): Promise<string> {
  const slug = uniqueName('p');
  await gotoHydrated(page, '/projects');
  await page.getByLabel('Project id').fill(slug);
  await page.getByLabel('Name').fill(`Study ${slug}`);
  await page.getByLabel('Description (optional)').fill('Brain scans of volunteers');
  await page.getByLabel('Who can see it').selectOption(accessibility);
  await page.getByRole('button', { name: 'Create project' }).click();
  await expect(page).toHaveURL(new RegExp(`/projects/${slug}$`));
  await waitForHydration(page);
  await expect(page.getByRole('heading', { level: 1, name: `Study ${slug}` })).toBeVisible();
  return slug;
}

/** The newest email to `to` in the outbox of the server under test. */
function newestMailTo(to: string): string {
  const db = path.join(SERVER.stateDir, 'e2e.db');
  const script = 'import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); r=c.execute("SELECT body FROM outbox WHERE to_address=? ORDER BY id DESC LIMIT 1",(sys.argv[2],)).fetchone(); print(r[0] if r else "")';
  return execFileSync('python3', ['-c', script, db, to]).toString();
}

test('a stranger asks for access and the owner approves it from another browser', async ({ page, browser }) => {
  await signedInAdmin(page, 'padm');
  const owner = await createUser(page, 'own');
  const asker = await createUser(page, 'ask');
  const ownerPage = await browserFor(browser, owner);
  const slug = await createProject(ownerPage, 'protected');

  const askerPage = await browserFor(browser, asker);
  await gotoHydrated(askerPage, '/projects');
  await askerPage.getByRole('link', { name: `Study ${slug}` }).click();
  await waitForHydration(askerPage);
  await expect(askerPage.getByText('You need a role in this project to see its data.')).toBeVisible();
  await askerPage.getByLabel('Message to the owners (optional)').fill('I analyse the MRI data');
  await askerPage.getByRole('button', { name: 'Request access' }).click();
  await expect(askerPage.getByRole('status')).toContainText('Your request is waiting');
  expect(newestMailTo(owner.email)).toContain('I analyse the MRI data');

  await gotoHydrated(ownerPage, `/projects/${slug}/users`);
  await expect(ownerPage.getByRole('heading', { name: 'Access requests (1)' })).toBeVisible();
  await expect(ownerPage.getByText('I analyse the MRI data')).toBeVisible();
  await ownerPage.getByRole('button', { name: `Approve ${asker.username}` }).click();
  await expect(ownerPage.getByRole('heading', { name: 'Access requests (0)' })).toBeVisible();
  await expect(ownerPage.getByRole('combobox', { name: `Group of ${asker.username}` })).toHaveValue('member');

  await gotoHydrated(askerPage, `/projects/${slug}`);
  await expect(askerPage.getByRole('heading', { name: 'Datasets' })).toBeVisible();
  await expect(askerPage.getByText('You are in Members.')).toBeVisible();
  await gotoHydrated(askerPage, '/projects');
  await expect(askerPage.getByRole('cell', { name: 'approved: Members' })).toBeVisible();
});

/** Admin → Settings: whether owners' invitations may create accounts, and whether new accounts wait for approval. */
async function invitationPolicy(admin: Page, ownersInvite: boolean, approve: boolean) {
  await gotoHydrated(admin, '/admin/settings');
  await admin.getByLabel('Project owners may invite new people', { exact: false }).setChecked(ownersInvite);
  await admin.getByLabel('New accounts must be approved by an admin').setChecked(approve);
  await admin.getByLabel('Minimum password length').fill('8');
  await admin.getByRole('button', { name: 'Save settings' }).click();
  await expect(admin.getByRole('status')).toHaveText('Settings saved.');
}

test('an invitation lets a new person create an account and join at once', async ({ page, browser }) => {
  await signedInAdmin(page, 'iadm');
  // Registration is closed: an owner's link creates an account only when the site allows it (issue 29).
  await invitationPolicy(page, true, false);
  const owner = await createUser(page, 'inv');
  const ownerPage = await browserFor(browser, owner);
  const slug = await createProject(ownerPage, 'private');
  await gotoHydrated(ownerPage, `/projects/${slug}/users`);
  const email = `${uniqueName('guest')}@example.org`;
  await ownerPage.getByLabel('Email', { exact: true }).fill(email);
  await ownerPage.getByRole('combobox', { name: 'Group', exact: true }).last().selectOption('collaborator');
  await ownerPage.getByRole('button', { name: 'Send invitation' }).click();
  await expect(ownerPage.getByRole('status')).toHaveText(`Invitation sent to ${email}.`);
  await expect(ownerPage.getByRole('button', { name: `Revoke invitation for ${email}` })).toBeVisible();

  const link = newestMailTo(email).match(/http\S+\/invitations\/[0-9a-f]+/)![0];
  const invitee = await (await browser.newContext()).newPage();
  await gotoHydrated(invitee, new URL(link).pathname);
  await expect(invitee.getByText(`as one of its Collaborators`)).toBeVisible();
  await expectNoAxeViolations(invitee);
  const username = uniqueName('joiner');
  await invitee.getByLabel('Username').fill(username);
  await invitee.getByLabel('Password', { exact: true }).fill(`${username}-password`);
  await invitee.getByLabel('Repeat the password').fill('something-else-1');
  await invitee.getByRole('button', { name: 'Create account and join' }).click();
  await expect(invitee.getByText('The two passwords differ')).toBeVisible();
  await invitee.getByLabel('Repeat the password').fill(`${username}-password`);
  await invitee.getByRole('button', { name: 'Create account and join' }).click();
  await expect(invitee).toHaveURL(new RegExp(`/projects/${slug}$`));
  await waitForHydration(invitee);
  await expect(invitee.getByText(`Signed in as ${username}`)).toBeVisible();
  await expect(invitee.getByText('You are in Collaborators.')).toBeVisible();

  // The link works once.
  const late = await (await browser.newContext()).newPage();
  await gotoHydrated(late, new URL(link).pathname);
  await expect(late.getByRole('alert')).toContainText('This invitation link is not valid');
  await invitationPolicy(page, false, true);
});

test('upload and download a file; a collaborator sees no upload button and the server refuses anyway', async ({ page, browser }) => {
  await signedInAdmin(page, 'dadm');
  const owner = await createUser(page, 'dat');
  const collab = await createUser(page, 'col');
  const ownerPage = await browserFor(browser, owner);
  const slug = await createProject(ownerPage, 'private');
  await ownerPage.getByLabel('Dataset name').fill('scans');
  await ownerPage.getByRole('button', { name: 'Create dataset' }).click();
  await ownerPage.getByRole('link', { name: 'scans' }).click();
  await waitForHydration(ownerPage);
  await expect(ownerPage.getByText('No files yet. Upload the first one below.')).toBeVisible();
  await ownerPage.getByLabel('File', { exact: true }).setInputFiles({ name: 'subject 01.txt', mimeType: 'text/plain', buffer: Buffer.from('volunteer data\n') });
  await ownerPage.getByRole('button', { name: 'Upload' }).click();
  await expect(ownerPage.getByRole('status')).toHaveText('Uploaded subject 01.txt.');
  await expect(ownerPage.getByRole('link', { name: 'subject 01.txt' })).toBeVisible();
  await expectNoAxeViolations(ownerPage);
  const download = ownerPage.waitForEvent('download');
  await ownerPage.getByRole('link', { name: 'subject 01.txt' }).click();
  const file = await download;
  expect(file.suggestedFilename()).toBe('subject 01.txt');
  const fs = await import('fs');
  expect(fs.readFileSync(await file.path(), 'utf8')).toBe('volunteer data\n');

  await gotoHydrated(ownerPage, `/projects/${slug}/users`);
  await ownerPage.getByLabel('Username or email').fill(collab.username);
  await ownerPage.getByRole('combobox', { name: 'Group', exact: true }).first().selectOption('collaborator');
  await ownerPage.getByRole('button', { name: 'Add user' }).click();
  await expect(ownerPage.getByRole('combobox', { name: `Group of ${collab.username}` })).toHaveValue('collaborator');

  const collabPage = await browserFor(browser, collab);
  await gotoHydrated(collabPage, `/projects/${slug}/datasets/scans`);
  await expect(collabPage.getByRole('link', { name: 'subject 01.txt' })).toBeVisible();
  await expect(collabPage.getByRole('button', { name: 'Upload' })).toHaveCount(0);
  await expect(collabPage.getByRole('button', { name: /^Delete / })).toHaveCount(0);
  const refused = await collabPage.request.put(`/files/${slug}/scans/sneaky.txt`, { data: 'x' });
  expect(refused.status()).toBe(403);
  expect((await refused.json()).error).toBe('Project member access required');
});

test('every project page passes an axe scan', async ({ page }) => {
  await signedInAdmin(page, 'xadm');
  await gotoHydrated(page, '/projects');
  await expect(page.getByRole('heading', { name: 'New project' })).toBeVisible();
  await expectNoAxeViolations(page);
  const slug = await createProject(page, 'public');
  await expectNoAxeViolations(page);
  for (const tab of ['users', 'settings']) {
    await gotoHydrated(page, `/projects/${slug}/${tab}`);
    await expect(page.getByRole('link', { name: tab === 'users' ? 'Users' : 'Settings' })).toHaveAttribute('aria-current', 'page');
    await expectNoAxeViolations(page);
  }
  await page.getByLabel('Name').fill('');
  await page.getByRole('button', { name: 'Save settings' }).click();
  await expect(page.getByText('Name is required')).toBeVisible();
  await expectNoAxeViolations(page);
  await gotoHydrated(page, '/admin/projects');
  await expect(page.getByRole('link', { name: `Study ${slug}` })).toBeVisible();
  await expectNoAxeViolations(page);
});
