// RFC 6238 time-based one-time passwords (HMAC-SHA-1, 6 digits, 30-second
// steps) with node's crypto: the browser tests compute codes from the
// secret the page shows, as an authenticator app would.
import { createHmac } from 'crypto';

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
export const STEP_SECONDS = 30;

/** RFC 4648 base32 as people type it: any case, spaces and padding ignored. */
export function base32Decode(text: string): Buffer {
  const bytes: number[] = [];
  let buffer = 0;
  let bits = 0;
  for (const c of text.replace(/[\s=-]/g, '').toUpperCase()) {
    const value = BASE32.indexOf(c);
    if (value < 0) throw new Error(`not base32: ${text}`);
    buffer = ((buffer << 5) | value) & 0xffff;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      bytes.push((buffer >> bits) & 0xff);
    }
  }
  return Buffer.from(bytes);
}

/** The `digits`-digit code of `key` for time step `step` (RFC 4226 dynamic truncation). */
export function codeAt(key: Buffer, step: number, digits = 6): string {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const mac = createHmac('sha1', key).update(counter).digest();
  const offset = mac[mac.length - 1] & 0x0f;
  const value = mac.readUInt32BE(offset) & 0x7fffffff;
  return String(value % 10 ** digits).padStart(digits, '0');
}

/** The step of Unix time `seconds`. */
export function stepAt(seconds: number): number {
  return Math.floor(seconds / STEP_SECONDS);
}

/**
 * A code the server takes now from the app with base32 `secret` whose
 * last used step was `lastStep`: the step after it, and at least the
 * current one (the server accepts one step either side of its own and
 * never a step at or before the last one used), waiting when that step is
 * still two away. Whatever the step, it stays good for at least 30 s.
 */
export async function nextCode(secret: string, lastStep: number): Promise<{ code: string; step: number }> {
  const now = () => stepAt(Date.now() / 1000);
  const step = Math.max(now(), lastStep + 1);
  while (step > now() + 1) {
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return { code: codeAt(base32Decode(secret), step), step };
}

/** A 6-digit code that `secret` does not give within two steps of now: a wrong one. */
export function wrongCode(secret: string): string {
  const key = base32Decode(secret);
  const now = stepAt(Date.now() / 1000);
  const near = new Set([-2, -1, 0, 1, 2].map((d) => codeAt(key, now + d)));
  for (let n = 123456; ; n++) {
    if (!near.has(String(n))) return String(n);
  }
}
