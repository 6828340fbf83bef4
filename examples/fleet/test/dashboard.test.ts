/// <reference lib="dom" />
// (The page functions given to waitForFunction run in the browser.)
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findExecutable } from '@cachekit/redis-testkit';
import { type BrowserContext, chromium } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import { closeAll, startFleet } from './helpers.js';

const RESULTS = fileURLToPath(new URL('../test-results/', import.meta.url));
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Debian's chromium: `CHROMIUM_PATH`, else `chromium` on PATH, else /usr/bin/chromium. */
function chromiumPath(): string {
  const found =
    process.env.CHROMIUM_PATH ||
    findExecutable('chromium') ||
    (existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : undefined);
  if (found === undefined) {
    throw new Error(
      'The dashboard test needs Chromium and never skips: `sudo apt-get install chromium` ' +
        '(Debian/Ubuntu; .ci/run installs it in CI), or set CHROMIUM_PATH.',
    );
  }
  return found;
}

let context: BrowserContext | undefined;
let profile: string | undefined;
afterEach(async () => {
  await context?.close();
  context = undefined;
  if (profile !== undefined) await rm(profile, { recursive: true, force: true });
  profile = undefined;
  await closeAll();
});

describe('the dashboard in headless Chromium', () => {
  it('shows the fleet, updates a row when a miner changes, and loads nothing from elsewhere', async () => {
    const executablePath = chromiumPath();
    const fleet = await startFleet({ miners: 24 });
    const origin = await fleet.app.listen({ port: 0, host: '127.0.0.1' });
    profile = await mkdtemp(join(tmpdir(), 'fleet-chromium-'));
    context = await chromium.launchPersistentContext(profile, {
      executablePath,
      args: ARGS,
      headless: true,
      viewport: { width: 1360, height: 1000 },
    });
    const page = context.pages()[0] ?? (await context.newPage());
    const requests: string[] = [];
    const problems: string[] = [];
    page.on('request', (request) => requests.push(request.url()));
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`console: ${message.text()}`);
    });
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));

    await page.goto(`${origin}/`);
    // The fleet: one row per miner, filled from the stream's snapshot and /miners.
    await page.waitForFunction(
      () =>
        document.querySelectorAll('#fleet tbody tr').length === 24 &&
        [...document.querySelectorAll('#fleet td[data-field="temperatureC"]')].every(
          (td) => td.textContent !== '',
        ) &&
        document.querySelector('tr[data-miner="m-024"] td[data-field="model"]')?.textContent !== '',
      undefined,
      { timeout: 15_000 },
    );
    const before = await page.textContent('tr[data-miner="m-007"] td[data-field="temperatureC"]');

    // A change on the device side reaches the page through the bus and SSE, highlighted.
    const changed = await fleet.simulator.setStatus('m-007', { temperatureC: 97.3, online: true });
    expect(before).not.toBe('97.3');
    await page.waitForFunction(
      () => {
        const cell = document.querySelector('tr[data-miner="m-007"] td[data-field="temperatureC"]');
        return cell?.textContent === '97.3' && cell.classList.contains('changed');
      },
      undefined,
      { timeout: 10_000 },
    );
    expect(changed.temperatureC).toBe(97.3);
    const offline = await fleet.simulator.setStatus('m-011', { online: false, hashrateTHs: 0 });
    await page.waitForFunction(
      () =>
        document.querySelector('tr[data-miner="m-011"] td[data-field="state"]')?.textContent ===
        'offline',
      undefined,
      { timeout: 10_000 },
    );
    expect(offline.online).toBe(false);

    // Counters and the chart, fed by /stats and the page's simulated clients (24 miners: once
    // each is cached, their requests are hits).
    await mkdir(RESULTS, { recursive: true });
    await rm(join(RESULTS, 'dashboard-failed.png'), { force: true });
    await page
      .waitForFunction(
        () =>
          Number.parseFloat(document.getElementById('c-ratio')?.textContent ?? '') > 75 &&
          Number((document.getElementById('c-hits')?.textContent ?? '0').replace(/\D/g, '')) > 0 &&
          document.querySelector('#chart .uplot canvas') !== null,
        undefined,
        { timeout: 30_000 },
      )
      .catch(async (error: unknown) => {
        await page.screenshot({ path: join(RESULTS, 'dashboard-failed.png'), fullPage: true });
        throw error;
      });
    expect(await page.textContent('#store')).toBe('in-memory store');
    expect(Number((await page.textContent('#c-source'))?.replace(/\D/g, ''))).toBeGreaterThan(0);

    await page.screenshot({ path: join(RESULTS, 'dashboard.png'), fullPage: true });
    expect(existsSync(join(RESULTS, 'dashboard.png'))).toBe(true);

    expect(requests.length).toBeGreaterThan(5);
    const elsewhere = requests.filter((url) => new URL(url).origin !== origin);
    expect(elsewhere, 'the page must load everything from the app itself').toEqual([]);
    expect(problems).toEqual([]);
  }, 60_000);
});
