// Every form works as a plain HTML post with JavaScript off: signing in, a
// wrong password's message, the forced password change, registration with
// an error, forgot password, an admin creating a user and a role, and a
// project's forms (new project, new dataset, settings, add a user, invite).
// Errors come back beside their field; success goes where the page would
// have gone.
import { test, expect, Browser, Page } from '@playwright/test';
import { createAdmin, gotoHydrated, signedInAdmin, uniqueName } from '../support/helpers';

test.use({ javaScriptEnabled: false });

async function signInWithoutJs(page: Page, username: string, password: string) {
  await page.goto('/login');
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/** A new admin signed in without JavaScript, through the forced password change. */
async function adminWithoutJs(page: Page): Promise<string> {
  const username = uniqueName('nojs');
  const oneTime = createAdmin(username);
  await signInWithoutJs(page, username, oneTime);
  await expect(page).toHaveURL(/\/account\/password$/);
  await expect(page.getByRole('heading', { name: 'Choose a new password' })).toBeVisible();
  const password = `${username}-long-passphrase`;
  await page.getByLabel('Current password').fill(oneTime);
  await page.getByLabel('New password', { exact: true }).fill(password);
  await page.getByLabel('Confirm new password').fill(password);
  await page.getByRole('button', { name: 'Save new password' }).click();
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByText(`Signed in as ${username}`)).toBeVisible();
  return username;
}

/** Opens registration (no verification, no approval) from a browser with JavaScript. */
async function openRegistration(browser: Browser) {
  const context = await browser.newContext({ javaScriptEnabled: true });
  const admin = await context.newPage();
  await signedInAdmin(admin, 'nojsreg');
  await gotoHydrated(admin, '/admin/settings');
  await admin.getByLabel('Anyone may create an account', { exact: false }).check();
  await admin.getByLabel('New accounts must confirm their email address').setChecked(false);
  await admin.getByLabel('New accounts must be approved by an admin').setChecked(false);
  await admin.getByRole('button', { name: 'Save settings' }).click();
  await expect(admin.getByRole('status')).toHaveText('Settings saved.');
  await context.close();
}

test('sign in and the forced password change, then the home page, all without JavaScript', async ({ page }) => {
  await adminWithoutJs(page);
  await expect(page.getByRole('heading', { name: /Welcome,/ })).toBeVisible();
  await expect(page.getByRole('heading', { name: "Waiting on the site's admins" })).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Your projects' })).toBeVisible();
  await expect(page.getByText('You are not in any project yet.')).toBeVisible();
});

test('a wrong password is told beside the form without JavaScript', async ({ page }) => {
  await signInWithoutJs(page, uniqueName('nobody'), 'wrong-password-1');
  await expect(page).toHaveURL(/\/login/);
  await expect(page.getByRole('alert')).toHaveText('Invalid username or password');
  await expect(page.getByRole('button', { name: 'Sign in' })).toBeVisible();
});

test('registration shows its error beside the field, then succeeds, without JavaScript', async ({ page, browser }) => {
  await openRegistration(browser);
  const username = uniqueName('plain');
  const fill = async (name: string, password: string, confirm: string) => {
    await page.goto('/register');
    await page.getByLabel('Username').fill(name);
    await page.getByLabel('Email').fill(`${username}@example.org`);
    await page.getByLabel('Password', { exact: true }).fill(password);
    await page.getByLabel('Confirm password').fill(confirm);
    await page.getByRole('button', { name: 'Create account' }).click();
  };
  await fill(username, 'a-long-password-1', 'a-different-one-2');
  await expect(page.getByLabel('Confirm password')).toHaveAttribute('aria-invalid', 'true');
  await expect(page.locator('.field-error')).toBeVisible();
  await fill(username, 'a-long-password-1', 'a-long-password-1');
  await expect(page.getByRole('status')).toHaveText('Your account is ready. You can sign in now.');
  await signInWithoutJs(page, username, 'a-long-password-1');
  await expect(page.getByText(`Signed in as ${username}`)).toBeVisible();
});

test('forgot password answers without JavaScript', async ({ page }) => {
  await page.goto('/forgot');
  await page.getByLabel('Username or email').fill('someone@example.org');
  await page.getByRole('button', { name: 'Email me a reset link' }).click();
  await expect(page).toHaveURL(/\/forgot\?sent=1$/);
  await expect(page.getByRole('status')).toContainText('If');
});

test('an admin creates a user without JavaScript, after an inline error', async ({ page }) => {
  await adminWithoutJs(page);
  await page.goto('/admin/users/new');
  await expect(page.getByLabel('user', { exact: true })).toBeChecked();
  await page.getByLabel('Username').fill('-bad name');
  await page.getByLabel('Password').fill('long-enough-password');
  await page.getByRole('button', { name: 'Create user' }).click();
  await expect(page.getByText('Username may only contain letters, digits, dots, underscores and hyphens')).toBeVisible();
  await expect(page.getByLabel('Username')).toHaveAttribute('aria-invalid', 'true');
  const username = uniqueName('made');
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill('long-enough-password');
  await page.getByRole('button', { name: 'Create user' }).click();
  await expect(page).toHaveURL(new RegExp(`/admin/users/${username}\\?created=1$`));
  await expect(page.getByRole('status')).toHaveText('User created.');
});

test("a project's forms work without JavaScript: create, dataset, settings, people, invitation", async ({ page }) => {
  await adminWithoutJs(page);
  await page.goto('/projects');
  await page.getByLabel('Project id').fill('-bad id');
  await page.getByRole('button', { name: 'Create project' }).click();
  await expect(page.getByLabel('Project id')).toHaveAttribute('aria-invalid', 'true');
  await expect(page.locator('.field-error')).toBeVisible();

  const slug = uniqueName('nojsp');
  await page.getByLabel('Project id').fill(slug);
  await page.getByLabel('Name').fill(`Plain ${slug}`);
  await page.getByLabel('Who can see it').selectOption('protected');
  await page.getByRole('button', { name: 'Create project' }).click();
  await expect(page).toHaveURL(new RegExp(`/projects/${slug}$`));
  await expect(page.getByRole('heading', { level: 1, name: `Plain ${slug}` })).toBeVisible();

  await page.getByLabel('Dataset name').fill('scans');
  await page.getByRole('button', { name: 'Create dataset' }).click();
  await expect(page).toHaveURL(new RegExp(`/projects/${slug}$`));
  await expect(page.getByRole('link', { name: 'scans' })).toBeVisible();

  // The settings form arrives filled in, and saves.
  await page.goto(`/projects/${slug}/settings`);
  await expect(page.getByLabel('Name')).toHaveValue(`Plain ${slug}`);
  await expect(page.getByLabel('Who can see it')).toHaveValue('protected');
  await page.getByLabel('Name').fill(`Renamed ${slug}`);
  await page.getByLabel('Description').fill('Kept without JavaScript');
  await page.getByRole('button', { name: 'Save settings' }).click();
  await expect(page).toHaveURL(new RegExp(`/projects/${slug}/settings\\?saved=1$`));
  await expect(page.getByRole('status')).toHaveText('Saved.');
  await expect(page.getByLabel('Name')).toHaveValue(`Renamed ${slug}`);
  await expect(page.getByLabel('Description')).toHaveValue('Kept without JavaScript');

  // People: an unknown user is refused in the form's alert; a real one is added; an invitation goes out.
  const member = uniqueName('nojsm');
  createAdmin(member);
  await page.goto(`/projects/${slug}/users`);
  const ghost = uniqueName('ghost');
  await page.getByLabel('Username or email').fill(ghost);
  await page.getByRole('button', { name: 'Add user' }).click();
  await expect(page.getByRole('alert')).toHaveText(`No such user: ${ghost}`); // once: in the form
  await page.getByLabel('Username or email').fill(member);
  await page.getByRole('button', { name: 'Add user' }).click();
  await expect(page).toHaveURL(new RegExp(`/projects/${slug}/users$`));
  await expect(page.getByRole('combobox', { name: `Group of ${member}` })).toHaveValue('member');
  await page.getByLabel('Email', { exact: true }).fill(`${member}-friend@example.org`);
  await page.getByRole('button', { name: 'Send invitation' }).click();
  await expect(page).toHaveURL(new RegExp(`/projects/${slug}/users$`));
  await expect(page.getByRole('cell', { name: `${member}-friend@example.org`, exact: true })).toBeVisible();
});

test('an admin creates a role without JavaScript, after an inline error', async ({ page }) => {
  await adminWithoutJs(page);
  await page.goto('/admin/roles');
  await page.getByLabel('Role name').fill('no spaces allowed');
  await page.getByRole('button', { name: 'Create role' }).click();
  await expect(page.getByLabel('Role name')).toHaveAttribute('aria-invalid', 'true');
  const role = uniqueName('nojsrole');
  await page.getByLabel('Role name').fill(role);
  await page.getByRole('button', { name: 'Create role' }).click();
  await expect(page).toHaveURL(/\/admin\/roles$/);
  await expect(page.getByRole('cell', { name: role, exact: true })).toBeVisible();
});
