// /frontier, /plan and /disagg in the playground, in a real headless browser (Debian's chromium via playwright-core).
import { existsSync, mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catalog } from '../src/catalog/load.ts';
import { createPlayground } from '../src/platforms/local/playground.ts';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const SHOTS = join(import.meta.dirname, '..', process.env.UPDATE_DOCS ? 'docs' : join('var', 'screenshots'));
const T = 30_000;

let server: Server, base: string, browser: Browser, page: Page;
const pageErrors: string[] = [];

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing; install Debian's chromium (apt-get install -y chromium). This test never downloads a browser.`);
  mkdirSync(SHOTS, { recursive: true });
  const pg = createPlayground({ context: () => ({ catalog: catalog() }) });
  server = createServer(async (req, res) => { if (await pg.handle(req, res)) return; res.writeHead(404).end(); });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  await page.goto(base + '/');
}, T);

afterAll(async () => {
  await browser?.close();
  if (server) await new Promise<void>((r) => server.close(() => r()));
});

const cards = () => page.locator('.log:not([hidden]) .msg.bot .card');
async function ask(text: string): Promise<Locator> {
  const before = await cards().count();
  await page.locator('#input').fill(text);
  await page.locator('#input').press('Enter');
  await page.waitForFunction((n) => document.querySelectorAll('.log:not([hidden]) .msg.bot .card').length > n && !document.querySelector('.thinking'), before, { timeout: 20_000 });
  return cards().last();
}

describe('deployment questions in the playground', () => {
  it('/frontier answers with the interactivity table and a chart that loads', async () => {
    const card = await ask('/frontier llama-3.3-70b b200 h100 mi355x cerebras groq');
    expect(await card.getAttribute('data-kind')).toBe('answer');
    expect(await card.textContent()).toMatch(/1000/);
    const img = card.locator('img.card-chart');
    await img.waitFor({ state: 'visible' });
    await page.waitForFunction((el) => (el as HTMLImageElement).complete && (el as HTMLImageElement).naturalWidth > 0, await img.elementHandle(), { timeout: 15_000 });
    expect(await img.evaluate((el) => (el as HTMLImageElement).naturalWidth)).toBeGreaterThan(500);
    await card.scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(SHOTS, 'playground-frontier.png') });
    expect(pageErrors).toEqual([]);
  }, T);

  it('/plan with a negative target is a private error; the done-when /disagg answers', async () => {
    const bad = await ask('/plan llama-3.1-70b ttft-ms:-500');
    expect(await bad.getAttribute('data-kind')).toBe('error');
    expect(await bad.textContent()).toMatch(/ttft-ms must be more than 0/);
    const d = await ask('/disagg kimi-k2 rubin groq-3 users:1000 ttft-ms:1000 tok-s-user:100');
    expect(await d.getAttribute('data-kind')).toBe('answer');
    expect(await d.textContent()).toMatch(/vendor claim/);
  }, T);

  it('suggests chips while the chip list is typed', async () => {
    await page.locator('#input').fill('/frontier llama-3.3-70b b200 mi3');
    const first = page.locator('[role="option"]').first();
    await first.waitFor({ state: 'visible', timeout: 10_000 });
    expect(await page.locator('[role="option"]').allTextContents()).toEqual(expect.arrayContaining([expect.stringMatching(/MI3/)]));
    await page.keyboard.press('Escape');
    await page.locator('#input').fill('');
  }, T);
});
