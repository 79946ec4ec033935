import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium } from 'playwright-core';

/** Debian's Chromium (browsers are never downloaded: playwright-core drives the system one). */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * The browser for the page tests: Debian's chromium, installed with apt when this runs as root
 * (CI machines start without it). Otherwise undefined, after one clear SKIPPED line.
 */
export function ensureChromium(): string | undefined {
  if (existsSync(CHROMIUM)) return CHROMIUM;
  if (process.getuid?.() === 0 && !process.env.CHROMIUM_PATH) {
    console.log('browser tests: installing Debian chromium (apt-get install -y chromium)…');
    const update = spawnSync('apt-get', ['update'], { stdio: 'inherit' });
    const install = spawnSync('apt-get', ['install', '-y', '--no-install-recommends', 'chromium'], {
      stdio: 'inherit',
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
    if (update.status === 0 && install.status === 0 && existsSync(CHROMIUM)) return CHROMIUM;
  }
  console.log(
    `SKIPPED browser tests: no chromium at ${CHROMIUM} (install it: apt-get install chromium, or set CHROMIUM_PATH)`,
  );
  return undefined;
}

/** Headless, and none of Chromium's own connections (this machine's network is closed to them). */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** A fresh headless Chromium with a new empty profile. */
export function launchChromium(executablePath: string): Promise<BrowserContext> {
  return chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), 'netpay-chromium-')), {
    executablePath,
    headless: true,
    viewport: { width: 1100, height: 900 },
    args: CHROMIUM_ARGS,
  });
}
