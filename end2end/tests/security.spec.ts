// Admin → Security: a bad value gets an inline error, a good one saves and
// is audited old → new; axe finds nothing on the page.
import { test, expect } from '@playwright/test';
import { expectNoAxeViolations, gotoHydrated, signedInAdmin } from '../support/helpers';

test('security settings: inline error, save, and the audit line', async ({ page }) => {
  const { username } = await signedInAdmin(page, 'sec');
  await gotoHydrated(page, '/admin/security');
  await expect(page.getByRole('heading', { name: 'Security', exact: true })).toBeVisible();
  await expect(page.getByText('No account is locked.')).toBeVisible();
  await expectNoAxeViolations(page);
  const threshold = page.getByLabel('Failed sign-ins before a lock');
  const was = await threshold.inputValue();
  await threshold.fill('0');
  await page.getByRole('button', { name: 'Save security settings' }).click();
  await expect(page.locator('#lockout_threshold-error')).toContainText('from 1 to 100');
  await expect(threshold).toHaveAttribute('aria-invalid', 'true');
  await expectNoAxeViolations(page);
  await threshold.fill(String(Number(was) + 1));
  await page.getByRole('button', { name: 'Save security settings' }).click();
  await expect(page.getByRole('status')).toHaveText('Security settings saved.');

  // The inactivity preview says whom a value would disable before saving it.
  await page.getByLabel('Disable accounts unused for (days)').fill('3650');
  await page.getByRole('button', { name: 'Preview who this disables' }).click();
  await expect(page.getByText('This value disables no account now.')).toBeVisible();
  await page.getByLabel('Disable accounts unused for (days)').fill('0');
  await expectNoAxeViolations(page);

  await gotoHydrated(page, `/admin/audit?actor=${username}&action=settings_changed`);
  await expect(page.locator('table.audit tbody tr').first()).toContainText(`lockout_threshold ${was} → ${Number(was) + 1}`);

  // Put it back for the other tests.
  await gotoHydrated(page, '/admin/security');
  await page.getByLabel('Failed sign-ins before a lock').fill(was);
  await page.getByRole('button', { name: 'Save security settings' }).click();
  await expect(page.getByRole('status')).toHaveText('Security settings saved.');
});
