import { defineConfig } from '@playwright/test';
import base from './playwright.config';

// Benchmarks in the browser (not part of the test command):
//   npx playwright test -c bench.config.ts
export default defineConfig({ ...base, testDir: './bench', timeout: 120_000 });
