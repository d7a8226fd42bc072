// Admin → Statistics: the site totals, the sign-in chart and the per-user
// figures render, the sort works through the form, and axe finds nothing.
import { test, expect } from '@playwright/test';
import { expectNoAxeViolations, gotoHydrated, signedInAdmin, watchConsole } from '../support/helpers';

test('statistics: totals, chart and per-user figures, axe clean', async ({ page }) => {
  const errors = watchConsole(page);
  const { username } = await signedInAdmin(page, 'stat');
  await gotoHydrated(page, '/admin/statistics');
  await expect(page.getByRole('heading', { name: 'Statistics', exact: true })).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Users by status' })).toBeVisible();
  const chart = page.getByRole('img', { name: /Sign-ins per day/ });
  await expect(chart).toBeVisible();
  await expect(page.locator('#sign-ins-summary')).toContainText('sign-ins in the last 30 days');
  await expect(page.getByRole('heading', { name: 'Storage by project' })).toBeVisible();
  await expect(page.getByRole('columnheader', { name: 'Failed sign-ins (30 d)' })).toBeVisible();
  await expectNoAxeViolations(page);

  // The per-user table filters like the user list: a search for this admin.
  await page.getByLabel('Search').fill(username);
  await page.getByLabel('Sort by').selectOption('storage');
  await page.getByRole('button', { name: 'Apply' }).click();
  await expect(page).toHaveURL(/\/admin\/statistics\?.*sort=storage/);
  const rows = page.locator('table.users tbody tr');
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText(username);
  await page.getByText('Sign-ins per day as a table').click();
  await expect(page.getByRole('columnheader', { name: 'Day (UTC)' })).toBeVisible();
  await expectNoAxeViolations(page);
  await page.screenshot({ path: 'test-results/statistics.png', fullPage: true });
  expect(errors).toEqual([]);
});
