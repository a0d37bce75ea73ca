// The browser finder of the browser tests (test/chromium.ts): what it picks, and that finding
// nothing is an error that says what to install (a browser test must fail, never skip).

import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { findChromium, locateChromium } from './chromium.js';

describe('finding Chromium for the browser tests', () => {
  it('finds one after npm install alone (or wherever HERD_CHROMIUM points)', async () => {
    const found = await findChromium();
    expect(existsSync(found.executablePath)).toBe(true);
    expect(found.source).toMatch(process.env.HERD_CHROMIUM ? /^HERD_CHROMIUM$/ : /^@sparticuz\/chromium \d+/);
  }, 120_000);

  it('takes HERD_CHROMIUM as given, and a missing file there is an error, not a quiet fallback', async () => {
    await expect(locateChromium({ env: { HERD_CHROMIUM: process.execPath } })).resolves.toMatchObject({
      executablePath: process.execPath,
      source: 'HERD_CHROMIUM',
    });
    await expect(locateChromium({ env: { HERD_CHROMIUM: '/nonexistent/chromium' } })).rejects.toThrow(/HERD_CHROMIUM=\/nonexistent\/chromium: no such file/);
  });

  it('falls back to a system browser, and with none says what to install', async () => {
    await expect(locateChromium({ env: {}, bundled: false, systemPaths: ['/nonexistent/a', process.execPath] })).resolves.toMatchObject({
      executablePath: process.execPath,
      source: 'system',
    });
    await expect(locateChromium({ env: {}, bundled: false, systemPaths: [] })).rejects.toThrow(
      /no Chromium for the browser tests: run `npm install`.*@sparticuz\/chromium.*apt-get install -y chromium.*HERD_CHROMIUM/,
    );
  });
});
