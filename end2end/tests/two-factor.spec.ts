// Two-factor sign-in with an authenticator app: enrolment on My account →
// Sign-in security with codes computed here from the secret the page shows
// (support/totp.ts, checked against RFC 6238's vectors first), signing out
// and in again with the password and a code, with a recovery code (the
// count left drops, and the code does not work twice), the same sign-in as
// plain forms with JavaScript off, and axe on every state of both pages
// (with JavaScript: axe runs as a script in the page).
import { test, expect, Page } from '@playwright/test';
import { expectNoAxeViolations, gotoHydrated, signIn, signedInAdmin, waitForHydration } from '../support/helpers';
import { base32Decode, codeAt, nextCode, wrongCode } from '../support/totp';

const WRONG_CODE = 'That code is not right, or this sign-in has expired: try again';

test('the test TOTP matches RFC 6238 appendix B (SHA-1)', () => {
  const key = Buffer.from('12345678901234567890');
  const vectors: [number, string][] = [
    [59, '94287082'],
    [1111111109, '07081804'],
    [1111111111, '14050471'],
    [1234567890, '89005924'],
    [2000000000, '69279037'],
    [20000000000, '65353130'],
  ];
  for (const [time, expected] of vectors) {
    expect(codeAt(key, Math.floor(time / 30), 8)).toBe(expected);
    expect(codeAt(key, Math.floor(time / 30))).toBe(expected.slice(2));
  }
});

/**
 * Sets up an authenticator app on /account/security for the signed-in
 * `page`, checking axe before, during and after; the secret as shown, the
 * step the confirming code used, and the recovery codes shown once.
 */
async function enrolApp(page: Page): Promise<{ secret: string; step: number; codes: string[] }> {
  await gotoHydrated(page, '/account/security');
  await expect(page.getByRole('heading', { name: 'Sign-in security', level: 1 })).toBeVisible();
  await expect(page.getByText('0 of 10 recovery codes left')).toBeVisible();
  await expectNoAxeViolations(page);
  await page.getByRole('button', { name: 'Set up an authenticator app' }).click();
  await expect(page.getByRole('img', { name: 'QR code for your authenticator app' })).toBeVisible();
  const secret = await page.getByLabel('Key', { exact: true }).inputValue();
  expect(secret).toMatch(/^[A-Z2-7]{32}$/);
  await expectNoAxeViolations(page);

  // A wrong code is told beside the field, and nothing is turned on.
  await page.getByLabel('Code from the app').fill(wrongCode(secret));
  await page.getByRole('button', { name: 'Turn on' }).click();
  await expect(page.getByText("That code is not right: check the app's clock")).toBeVisible();
  await expect(page.getByLabel('Code from the app')).toHaveAttribute('aria-invalid', 'true');
  await expectNoAxeViolations(page);

  const { code, step } = await nextCode(secret, -1);
  await page.getByLabel('Code from the app').fill(code);
  await page.getByRole('button', { name: 'Turn on' }).click();
  await expect(page.getByText('Two-factor sign-in is on.')).toBeVisible();
  const codes = await page.getByRole('list', { name: 'Recovery codes' }).locator('code').allTextContents();
  expect(codes).toHaveLength(10);
  for (const c of codes) expect(c).toMatch(/^[a-z2-9]{5}-[a-z2-9]{5}$/);
  await expect(page.getByText('10 of 10 recovery codes left')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Remove the authenticator app' })).toBeVisible();
  await expectNoAxeViolations(page);
  return { secret, step, codes };
}

async function logOut(page: Page) {
  await page.getByRole('button', { name: 'Log out' }).click();
  await expect(page).toHaveURL(/\/login$/);
}

/** Password, then the second step's page with `code`. */
async function signInWithCode(page: Page, username: string, password: string, code: string) {
  await signIn(page, username, password);
  await expect(page).toHaveURL(/\/login\?step=code/);
  await waitForHydration(page);
  await expect(page.getByRole('heading', { name: 'Two-factor sign-in' })).toBeVisible();
  await page.getByLabel('Code', { exact: true }).fill(code);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

test('enrol an authenticator app, then sign in with the password and a code, and with a recovery code', async ({ page }) => {
  test.setTimeout(90_000);
  const { username, password } = await signedInAdmin(page, 'totp');
  const { secret, step, codes } = await enrolApp(page);
  await logOut(page);

  // The password alone leads to the second step, which refuses a wrong code.
  await signInWithCode(page, username, password, wrongCode(secret));
  await expect(page.getByText(WRONG_CODE)).toBeVisible();
  await expect(page).toHaveURL(/\/login\?step=code/);
  await expectNoAxeViolations(page);
  // The code the confirmation used is spent; the next step's is not.
  await page.getByLabel('Code', { exact: true }).fill(codeAt(base32Decode(secret), step));
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByText(WRONG_CODE)).toBeVisible();
  await page.getByLabel('Code', { exact: true }).fill((await nextCode(secret, step)).code);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/$/);
  await waitForHydration(page);
  await expect(page.getByText(`Signed in as ${username}`)).toBeVisible();
  await logOut(page);

  // A recovery code instead of the app's code, typed in capitals: once.
  await signInWithCode(page, username, password, codes[3].toUpperCase());
  await expect(page).toHaveURL(/\/$/);
  await waitForHydration(page);
  await expect(page.getByText(`Signed in as ${username}`)).toBeVisible();
  await gotoHydrated(page, '/account/security');
  await expect(page.getByText('9 of 10 recovery codes left')).toBeVisible();
  await logOut(page);
  await signInWithCode(page, username, password, codes[3]);
  await expect(page.getByText(WRONG_CODE)).toBeVisible();
  await page.getByLabel('Code', { exact: true }).fill(codes[4]);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/$/);
  await gotoHydrated(page, '/account/security');
  await expect(page.getByText('8 of 10 recovery codes left')).toBeVisible();
});

test('the second step as plain forms with JavaScript off', async ({ page, browser }) => {
  test.setTimeout(60_000);
  const { username, password } = await signedInAdmin(page, 'totpplain');
  const { secret, step } = await enrolApp(page);
  const context = await browser.newContext({ javaScriptEnabled: false });
  const plain = await context.newPage();
  await plain.goto('/login?next=/account');
  await plain.getByLabel('Username').fill(username);
  await plain.getByLabel('Password').fill(password);
  await plain.getByRole('button', { name: 'Sign in' }).click();
  await expect(plain).toHaveURL(/\/login\?step=code&next=%2Faccount$/);
  await expect(plain.getByRole('heading', { name: 'Two-factor sign-in' })).toBeVisible();
  await plain.getByLabel('Code', { exact: true }).fill(wrongCode(secret));
  await plain.getByRole('button', { name: 'Sign in' }).click();
  await expect(plain.getByText(WRONG_CODE)).toBeVisible();
  await expect(plain.getByLabel('Code', { exact: true })).toHaveAttribute('aria-invalid', 'true');
  await plain.getByLabel('Code', { exact: true }).fill((await nextCode(secret, step)).code);
  await plain.getByRole('button', { name: 'Sign in' }).click();
  await expect(plain).toHaveURL(/\/account$/);
  await expect(plain.getByText(`Signed in as ${username}`)).toBeVisible();
  await context.close();
});
