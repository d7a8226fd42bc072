// My account → API keys and tokens, and Admin → API keys: a token shown once
// and used from the page, a service-key override, an alias token issued and
// invalidated, and axe on both pages.
import { test, expect } from '@playwright/test';
import { expectNoAxeViolations, gotoHydrated, signedInAdmin } from '../support/helpers';

test('access token: create, use its shown value with fetch, revoke', async ({ page }) => {
  const { username } = await signedInAdmin(page, 'pat');
  await gotoHydrated(page, '/account/keys');
  await expect(page.getByText('No access tokens yet.')).toBeVisible();
  await expectNoAxeViolations(page);

  // A missing name is an inline error; nothing is made.
  await page.getByRole('button', { name: 'Create token' }).click();
  await expect(page.locator('.field-error')).toContainText('Give the token a name');

  await page.getByLabel('Token name').fill('browser check');
  await page.getByLabel('Expires after').selectOption('90');
  await page.getByRole('button', { name: 'Create token' }).click();
  const shown = page.getByLabel('Your new token');
  await expect(shown).toHaveValue(/^gh_pat_[A-Za-z0-9]{40}$/);
  const token = await shown.inputValue();
  await expect(page.locator('table.tokens tbody tr')).toHaveCount(1);
  await expect(page.locator('table.tokens')).toContainText('browser check');
  await expect(page.locator('table.tokens')).not.toContainText(token.slice(11));
  await expectNoAxeViolations(page);

  const call = (bearer: string) => page.evaluate(async (t) => {
    const res = await fetch('/api/tokens', { headers: { Authorization: `Bearer ${t}` }, credentials: 'omit' });
    return { status: res.status, body: await res.text() };
  }, bearer);
  const ok = await call(token);
  expect(ok.status).toBe(200);
  expect(JSON.parse(ok.body)[0].username).toBe(username);

  // The admin sees it under Admin → API keys and revokes it there.
  await gotoHydrated(page, '/admin/keys');
  await page.getByLabel('User').fill(username);
  await page.getByRole('button', { name: 'Filter' }).click();
  const row = page.locator('table.tokens tbody tr', { hasText: 'browser check' });
  await expect(row).toBeVisible();
  await expectNoAxeViolations(page);
  await row.getByRole('button', { name: 'Revoke token browser check' }).click();
  await expect(page.getByText('This user has no live access tokens.')).toBeVisible();
  expect((await call(token)).status).toBe(401);
});

test('service key: the site provides one, my override wins, deleting it falls back', async ({ page }) => {
  await signedInAdmin(page, 'svk');
  const name = `svc${Date.now().toString(36)}`;
  await gotoHydrated(page, '/admin/keys');
  const siteForm = page.locator('section', { hasText: 'Site-wide secrets' });
  await siteForm.getByLabel('Service name').fill(name);
  await siteForm.getByLabel('Secret').fill('site-value-abcdef-0001');
  await siteForm.getByRole('button', { name: 'Save site key' }).click();
  await expect(page.locator('table.service-keys')).toContainText(name);
  await expect(page.locator('table.service-keys')).toContainText('…0001');
  await expect(page.locator('body')).not.toContainText('site-value-abcdef');

  const resolve = () => page.evaluate(async (n) => (await fetch(`/api/service-keys/${n}`)).json(), name);
  expect(await resolve()).toEqual({ name, value: 'site-value-abcdef-0001', source: 'site' });

  await gotoHydrated(page, '/account/keys');
  await expect(page.getByText(`The site provides:`)).toContainText(name);
  await page.getByLabel('Service name').fill(name);
  await page.getByLabel('Secret').fill('my-own-value-xyz-0002');
  await page.getByRole('button', { name: 'Save service key' }).click();
  await expect(page.getByText('Saved. It will not be shown again.')).toBeVisible();
  const mine = page.locator('table.service-keys');
  await expect(mine).toContainText('…0002');
  await expectNoAxeViolations(page);
  expect(await resolve()).toEqual({ name, value: 'my-own-value-xyz-0002', source: 'user' });

  await mine.getByRole('button', { name: `Delete service key ${name}` }).click();
  await expect(page.getByText('You have no service keys of your own')).toBeVisible();
  expect((await resolve()).source).toBe('site');
});

test('alias token: issue, see it listed, invalidate', async ({ page }) => {
  await signedInAdmin(page, 'als');
  await gotoHydrated(page, '/account/keys');
  await expect(page.getByText('No live alias tokens.')).toBeVisible();
  await page.getByRole('button', { name: 'Issue an alias token' }).click();
  const alias = await page.getByLabel('Alias (the user name)').inputValue();
  const secret = await page.getByLabel('Secret (the password)').inputValue();
  expect(alias).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  expect(secret).toMatch(/^[0-9a-f]{64}$/);
  await expect(page.getByText(/Works until \d{4}-/)).toBeVisible();
  await expect(page.locator('table.aliases tbody tr')).toHaveCount(1);
  await expectNoAxeViolations(page);

  const basic = () => page.evaluate(async ([a, s]) => {
    const res = await fetch('/users/storage', { headers: { Authorization: 'Basic ' + btoa(`${a}:${s}`) }, credentials: 'omit' });
    return res.status;
  }, [alias, secret]);
  expect(await basic()).toBe(200);
  await page.getByRole('button', { name: `Invalidate alias token ${alias}` }).click();
  await expect(page.getByText('No live alias tokens.')).toBeVisible();
  expect(await basic()).toBe(401);
});
