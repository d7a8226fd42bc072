// Admin → Audit log and My account → Security activity: a settings change
// shows up with its old → new values, the filters narrow the list, the CSV
// export downloads the filtered set, and axe finds nothing on either page.
import { test, expect } from '@playwright/test';
import { readFileSync } from 'fs';
import { expectNoAxeViolations, gotoHydrated, signedInAdmin } from '../support/helpers';

test('a settings change is audited with old and new values, filtered and exported', async ({ page }) => {
  const { username } = await signedInAdmin(page, 'aud');
  await gotoHydrated(page, '/admin/settings');
  const notify = page.getByLabel('Email admins about each new registration');
  const was = await notify.isChecked();
  await notify.setChecked(!was);
  await page.getByRole('button', { name: 'Save settings' }).click();
  await expect(page.getByRole('status')).toHaveText('Settings saved.');

  await gotoHydrated(page, '/admin/audit');
  await expect(page.getByRole('heading', { name: 'Audit log' })).toBeVisible();
  await expectNoAxeViolations(page);
  await page.getByLabel('Actor').fill(username);
  await page.getByLabel('Action').selectOption('settings_changed');
  await page.getByRole('button', { name: 'Apply' }).click();
  await expect(page).toHaveURL(/action=settings_changed/);
  const rows = page.locator('table.audit tbody tr');
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText(`notify_admins ${was} → ${!was}`);
  await rows.first().locator('summary').click();
  await expect(rows.first().locator('pre.audit-details')).toContainText('"old"');
  await expectNoAxeViolations(page);

  // A filter that matches nothing says what to do next.
  await page.getByLabel('Address').fill('192.0.2.254');
  await page.getByRole('button', { name: 'Apply' }).click();
  await expect(page.getByText('No events match.')).toBeVisible();

  // The export carries the same filters (without the address one, cleared here).
  await page.getByLabel('Address').fill('');
  await page.getByRole('button', { name: 'Apply' }).click();
  await expect(rows).toHaveCount(1);
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Export CSV' }).click()]);
  expect(download.suggestedFilename()).toBe('gatehouse-audit.csv');
  const csv = readFileSync(await download.path(), 'utf8').trim().split('\r\n');
  expect(csv[0]).toBe('id,time,actor,action,target_kind,target_id,target,details,ip,user_agent,request_id,client_request_id');
  expect(csv).toHaveLength(2);
  expect(csv[1]).toContain('settings_changed');
  expect(csv[1]).toContain(username);

  // Put the setting back for the other tests.
  await gotoHydrated(page, '/admin/settings');
  await page.getByLabel('Email admins about each new registration').setChecked(was);
  await page.getByRole('button', { name: 'Save settings' }).click();
  await expect(page.getByRole('status')).toHaveText('Settings saved.');
});

test('my security activity lists my sign-ins', async ({ page }) => {
  await signedInAdmin(page, 'act');
  await gotoHydrated(page, '/account');
  await page.getByRole('link', { name: 'see security activity' }).click();
  await expect(page).toHaveURL(/\/account\/activity$/);
  await expect(page.getByRole('heading', { name: 'Security activity' })).toBeVisible();
  await expect(page.locator('table.audit tbody tr', { hasText: 'sign_in' }).first()).toBeVisible();
  await expect(page.locator('table.audit')).toContainText('password_changed');
  await expectNoAxeViolations(page);
});
