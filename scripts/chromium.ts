// Starting the system's headless Chromium (Debian package `chromium`) through playwright-core,
// which drives it without downloading a browser of its own. Used by the report's browser
// test and by `npm run report:screenshot`; CI installs the package in .ci/run.

import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM_PATH = process.env.HERD_CHROMIUM ?? '/usr/bin/chromium';

/** Flags for a quiet, offline, sandbox-less (root in CI) browser. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `Chromium is missing at ${CHROMIUM_PATH}: install the Debian package (apt-get install -y chromium), as .ci/run does, or point HERD_CHROMIUM at a Chromium binary`,
    );
  }
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true });
}
