// The playground in a real headless browser (Debian's chromium, driven by playwright-core; never downloads one).
import { existsSync, mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { catalog } from '../src/catalog/load.ts';
import { runCommand } from '../src/platforms/dispatch.ts';
import { createPlayground, type Playground } from '../src/platforms/local/playground.ts';
import { answer } from '../src/reply/reply.ts';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
// screenshots go to var/screenshots (ignored); UPDATE_DOCS=1 refreshes the README's copies in docs/
const DOCS = join(import.meta.dirname, '..', process.env.UPDATE_DOCS ? 'docs' : join('var', 'screenshots'));
const T = 30_000;

let server: Server;
let base: string;
let pg: Playground;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];
const foreignRequests: string[] = [];

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing, so the playground cannot be tested in a browser. Install Debian's chromium (apt-get install -y chromium); this test never downloads a browser.`);
  }
  mkdirSync(DOCS, { recursive: true });
  pg = createPlayground({ context: () => ({ catalog: catalog() }) });
  server = createServer(async (req, res) => {
    if (await pg.handle(req, res)) return;
    res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error') pageErrors.push(m.text()); });
  page.on('request', (r) => { if (!r.url().startsWith(base + '/') && !r.url().startsWith('data:')) foreignRequests.push(r.url()); });
  await page.goto(base + '/');
}, T);

afterAll(async () => {
  await browser?.close();
  if (server) await new Promise<void>((r) => server.close(() => r()));
});

const visibleLog = () => page.locator('.log:not([hidden])');
const botCards = () => visibleLog().locator('.msg.bot .card');

/** Type a command into the box, press Enter, and wait for memwall's answer card. */
async function ask(text: string): Promise<Locator> {
  const before = await botCards().count();
  await page.locator('#input').fill(text);
  await page.locator('#input').press('Enter');
  await page.waitForFunction((n) => document.querySelectorAll('.log:not([hidden]) .msg.bot .card').length > n && !document.querySelector('.thinking'), before, { timeout: 15_000 });
  return botCards().last();
}

describe('playground in a browser', () => {
  it('opens on #local-general with a composer and a welcome', async () => {
    expect(await page.title()).toMatch(/memwall/);
    expect(await page.locator('.channels li.active').textContent()).toContain('local-general');
    expect(await page.locator('#channel-name').textContent()).toBe('local-general');
    expect(await visibleLog().locator('.welcome').isVisible()).toBe(true);
    expect(await page.locator('#input').getAttribute('placeholder')).toMatch(/#local-general/);
  }, T);

  it('answers /fit llama-70b cerebras with "4 wafers"', async () => {
    const card = await ask('/fit llama-70b cerebras');
    expect(await card.getAttribute('data-kind')).toBe('answer');
    expect(await card.locator('.card-title').textContent()).toMatch(/Llama 3\.1 70B on Cerebras/);
    expect(await card.locator('.card-summary').textContent()).toContain('4 wafers');
    // **bold** in the summary is drawn bold, not shown with asterisks
    expect(await card.locator('.card-summary strong').first().textContent()).toBe('4 wafers');
    expect(await card.locator('.card-summary').textContent()).not.toContain('**');
    expect(await card.locator('.field').count()).toBeGreaterThan(0);
    // the question is echoed as the user's message
    expect(await visibleLog().locator('.msg.user').last().textContent()).toContain('/fit llama-70b cerebras');
  }, T);

  it('answers /compare groq etched decode with a table, a chart image and buttons; Prefill updates it in place', async () => {
    const card = await ask('/compare groq etched decode');
    const img = card.locator('img.card-chart');
    await img.waitFor({ state: 'visible' });
    await page.waitForFunction((el) => (el as HTMLImageElement).complete && (el as HTMLImageElement).naturalWidth > 0, await img.elementHandle(), { timeout: 10_000 });
    expect(await img.evaluate((el) => (el as HTMLImageElement).naturalWidth)).toBeGreaterThan(300);
    expect(await img.getAttribute('alt')).toMatch(/Groq/);
    expect(await card.locator('.buttons button').allTextContents()).toEqual(['Prefill', 'Decode', 'Both']);
    expect(await card.locator('.buttons button.active').textContent()).toBe('Decode');
    const rows = await card.locator('.card-table tbody td:first-child').allTextContents();
    expect(rows).toContain('Per user (batch 1)');
    expect(rows).not.toContain('First token');
    // numeric columns are right-aligned, in a monospace font
    expect(await card.locator('.card-table tbody tr').first().locator('td').nth(1).evaluate((td) => getComputedStyle(td).textAlign)).toBe('right');
    expect(await card.locator('.card-table').first().evaluate((t) => getComputedStyle(t).fontFamily)).toMatch(/mono/i);
    // sources are links
    expect(await card.locator('.sources a').count()).toBeGreaterThan(0);
    expect(await card.locator('.sources a').first().getAttribute('href')).toMatch(/^https?:\/\//);
    await page.screenshot({ path: join(DOCS, 'playground.png') });

    const messagesBefore = await visibleLog().locator('.msg').count();
    await card.locator('.buttons button', { hasText: 'Prefill' }).click();
    await page.waitForFunction(() => {
      const cards = document.querySelectorAll('.log:not([hidden]) .msg.bot .card');
      const last = cards[cards.length - 1];
      return last?.querySelector('.buttons button.active')?.textContent === 'Prefill';
    }, undefined, { timeout: 15_000 });
    expect(await visibleLog().locator('.msg').count()).toBe(messagesBefore); // replaced in place, no new message
    const updated = botCards().last();
    expect(await updated.locator('.card-table tbody td:first-child').allTextContents()).toContain('First token');
    expect(await updated.locator('.card-summary').textContent()).toMatch(/first token/i);
    // both chip columns stay right-aligned even where a cell says "unknown"
    for (const col of [1, 2]) expect(await updated.locator('.card-table tbody tr').first().locator('td').nth(col).evaluate((td) => getComputedStyle(td).textAlign)).toBe('right');
  }, T);

  it('autocompletes a partly typed model; Tab accepts, then chips are suggested', async () => {
    await page.locator('#input').fill('');
    await page.locator('#input').pressSequentially('/fit llama-3.1-7', { delay: 10 });
    const items = page.locator('#suggestions li');
    await items.first().waitFor({ state: 'visible' });
    const labels = await items.locator('.s-label').allTextContents();
    expect(labels.length).toBeLessThanOrEqual(25);
    expect(labels).toContain('Llama 3.1 70B');
    await page.screenshot({ path: join(DOCS, 'playground-autocomplete.png') });
    await page.locator('#input').press('Tab');
    expect(await page.locator('#input').inputValue()).toBe('/fit llama-3.1-70b ');
    await page.waitForFunction(() => [...document.querySelectorAll('#suggestions .s-detail')].some((d) => /cerebras/.test(d.textContent ?? '')), undefined, { timeout: 5_000 });
    // click a suggestion to accept it
    await page.locator('#input').pressSequentially('cereb', { delay: 10 });
    await page.waitForFunction(() => document.querySelector('#suggestions li .s-label')?.textContent?.includes('Cerebras'), undefined, { timeout: 5_000 });
    await page.locator('#suggestions li').first().click();
    expect(await page.locator('#input').inputValue()).toMatch(/^\/fit llama-3\.1-70b cerebras\S* $/);
    await page.locator('#input').press('Escape');
    expect(await page.locator('#suggestions').isHidden()).toBe(true);
    const card = await ask(await page.locator('#input').inputValue());
    expect(await card.locator('.card-summary').textContent()).toContain('4 wafers');
  }, T);

  it('answers an unknown chip with a polite did-you-mean that only the asker sees', async () => {
    const card = await ask('/compare groq cerebrass');
    expect(await card.getAttribute('data-kind')).toBe('error');
    expect(await card.textContent()).toMatch(/Did you mean/);
    expect(await card.locator('.private').textContent()).toMatch(/Only you can see this/);
    expect(await card.evaluate((c) => getComputedStyle(c).borderLeftColor)).not.toBe(await botCards().first().evaluate((c) => getComputedStyle(c).borderLeftColor));
    const unknown = await ask('/fitt llama-70b cerebras');
    expect(await unknown.textContent()).toMatch(/Did you mean \/fit/);
    expect(await unknown.textContent()).not.toMatch(/\bat .*\.ts|TypeError/);
  }, T);

  it('shows whatever is typed or returned as text, never as HTML', async () => {
    // no "key=" word at the start of a token (that would be read as an option): the markup reaches the answer as a name
    const card = await ask('/model <img/src/onerror=window.__pwned=1><b>bold</b>');
    expect(await card.getAttribute('data-kind')).toBe('error');
    expect(await card.locator('img, b').count()).toBe(0);
    expect(await card.textContent()).toContain('<img/src/onerror');
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(await visibleLog().locator('.msg.user').last().textContent()).toContain('<b>bold</b>');
  }, T);

  it('shows messages post()ed to the channel, and to other channels with an unread badge', async () => {
    const digest = await runCommand('landscape', {}, { catalog: catalog() });
    expect(digest.kind).toBe('answer');
    await pg.post('local-general', { ...digest, title: `Weekly digest — ${digest.title}` });
    const posted = visibleLog().locator('.msg.bot', { hasText: 'Weekly digest' });
    await posted.waitFor({ state: 'visible', timeout: 10_000 });
    expect(await posted.locator('.posted-tag').textContent()).toMatch(/posted/);
    if (digest.chart) {
      const img = posted.locator('img.card-chart');
      await page.waitForFunction((el) => (el as HTMLImageElement).complete && (el as HTMLImageElement).naturalWidth > 0, await img.elementHandle(), { timeout: 10_000 });
    }

    await pg.post('hardware-news', answer('Catalog changed', 'Added **Rubin**.'));
    const item = page.locator('.channels li[data-channel="hardware-news"]');
    await item.locator('.unread').waitFor({ state: 'visible', timeout: 10_000 });
    expect(await item.locator('.unread').textContent()).toBe('1');
    await item.click();
    expect(await page.locator('#channel-name').textContent()).toBe('hardware-news');
    expect(await visibleLog().locator('.card-title').last().textContent()).toBe('Catalog changed');
    expect(await item.locator('.unread').count()).toBe(0);
    // a command typed here runs in this channel
    const card = await ask('/help');
    expect(await card.getAttribute('data-kind')).toBe('answer');
    await page.locator('.channels li[data-channel="local-general"]').click();
  }, T);

  it('shows a reply whose chart could not be rendered, without the image', async () => {
    const log = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      await pg.post('local-general', answer('Chart-less', 'The chart failed to render.', { chart: { spec: { mark: 'nope' }, alt: 'broken' } }));
      const posted = visibleLog().locator('.msg.bot', { hasText: 'Chart-less' });
      await posted.waitFor({ state: 'visible', timeout: 10_000 });
      expect(await posted.locator('img.card-chart').count()).toBe(0);
      expect(await posted.locator('.card-summary').textContent()).toBe('The chart failed to render.');
    } finally {
      log.mockRestore();
    }
  }, T);

  it('loaded nothing from anywhere but the playground, and threw no errors', () => {
    expect(foreignRequests).toEqual([]);
    expect(pageErrors).toEqual([]);
  });
});
