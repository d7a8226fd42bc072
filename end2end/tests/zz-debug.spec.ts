import { test } from '@playwright/test';
import { gotoHydrated, signedInAdmin, watchConsole } from '../support/helpers';

test('debug', async ({ page }) => {
  const logs = watchConsole(page);
  page.on('console', (m) => console.log('CONSOLE', page.url(), m.type(), m.text().slice(0, 120)));
  page.on('pageerror', (e) => console.log('PAGEERROR', page.url(), e.message.slice(0, 100)));
  await signedInAdmin(page, 'dbg');
  console.log('--- audit');
  await gotoHydrated(page, '/admin/audit');
  await page.waitForTimeout(1000);
  console.log('--- apply');
  await page.getByLabel('Action').selectOption('settings_changed');
  await page.getByRole('button', { name: 'Apply' }).click();
  await page.waitForTimeout(2000);
  console.log('URL', page.url(), 'rows', await page.locator('table.audit tbody tr').count());
  console.log('--- keys');
  await gotoHydrated(page, '/account/keys');
  await page.waitForTimeout(1000);
  await page.getByRole('button', { name: 'Create token' }).click();
  await page.waitForTimeout(2000);
  console.log('errors', await page.locator('.field-error').count());
  console.log(logs.join('\n'));
});
