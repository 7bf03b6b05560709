// What a new user met in the playground, in a real headless browser (Debian's chromium via playwright-core): names
// with spaces, kv and spec-decode, digests with links and whole sentences, a 390 px screen; and Discord's narrow
// embeds drawn at Discord's width. UPDATE_DOCS=1 writes the screenshots to docs/ (else var/screenshots).
import { existsSync, mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catalog, type Catalog } from '../src/catalog/load.ts';
import { renderChart } from '../src/charts/render.ts';
import { buildDigest } from '../src/digest/content.ts';
import { runCommand } from '../src/platforms/dispatch.ts';
import { createPlayground, type Playground } from '../src/platforms/local/playground.ts';
import { toDiscord } from '../src/reply/discord.ts';
import { discordEmbedHtml } from './helpers/discord-embed-html.ts';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const DOCS = join(import.meta.dirname, '..', process.env.UPDATE_DOCS ? 'docs' : join('var', 'screenshots'));
const T = 45_000;

let server: Server, base: string, pg: Playground, browser: Browser, page: Page;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing; install Debian's chromium (this test never downloads a browser).`);
  mkdirSync(DOCS, { recursive: true });
  pg = createPlayground({ context: () => ({ catalog: catalog() }) });
  server = createServer(async (req, res) => { if (!(await pg.handle(req, res))) res.writeHead(404).end(); });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.goto(base + '/');
}, T);

afterAll(async () => {
  await browser?.close();
  if (server) await new Promise<void>((r) => server.close(() => r()));
});

const cards = (p: Page) => p.locator('.log:not([hidden]) .msg.bot .card');

async function ask(p: Page, text: string): Promise<Locator> {
  const before = await cards(p).count();
  await p.locator('#input').fill(text);
  await p.locator('#input').press('Enter');
  await p.waitForFunction((n) => document.querySelectorAll('.log:not([hidden]) .msg.bot .card').length > n && !document.querySelector('.thinking'), before, { timeout: 20_000 });
  return cards(p).last();
}

/** A digest with something to say under "What changed" (so it carries source links), posted into the page. */
async function postDigest(p: Page, channel = 'local-general'): Promise<Locator> {
  const cat = catalog();
  const model = cat.modelById.get('llama-3.1-70b')!;
  const first = buildDigest(cat, { model, postCount: 0, lastSnapshot: null, now: new Date('2026-11-23T09:00:00Z') });
  const revised: Catalog = { ...cat, chips: structuredClone(cat.chips) };
  revised.chips.find((c) => c.id === 'h100-sxm')!.memory[0].bandwidthGBs!.value = 3400;
  const second = buildDigest(revised, { model, postCount: 1, lastSnapshot: first.snapshot, now: new Date('2026-11-30T09:00:00Z') });
  const before = await cards(p).count();
  await pg.post(channel, second.reply);
  await p.waitForFunction((n) => document.querySelectorAll('.log:not([hidden]) .msg.bot .card').length > n, before, { timeout: 20_000 });
  return cards(p).last();
}

describe('names and options as people type them', () => {
  it('/fit llama-70b h100 sxm answers on the H100 SXM (the name with a space is one chip)', async () => {
    const card = await ask(page, '/fit llama-70b h100 sxm');
    expect(await card.getAttribute('data-kind')).toBe('answer');
    expect(await card.locator('.card-title').textContent()).toBe('Llama 3.1 70B on NVIDIA H100 SXM');
    const card2 = await ask(page, '/fit llama 3.1 70b h100 sxm fp8');
    expect(await card2.locator('.card-title').textContent()).toBe('Llama 3.1 70B on NVIDIA H100 SXM');
    expect(await card2.locator('.card-summary').textContent()).toMatch(/at FP8/);
  }, T);

  it('kv:bf16 is an option of /fit', async () => {
    const card = await ask(page, '/fit llama-70b h100 kv:bf16');
    expect(await card.getAttribute('data-kind')).toBe('answer');
    expect(await card.locator('.field', { hasText: 'KV cache' }).textContent()).toMatch(/at BF16/);
  }, T);

  it('spec-decode is an option of /estimate; a misspelt option is named, with the closest one', async () => {
    const card = await ask(page, '/estimate model:llama-70b chip:h100 spec-decode:draft:llama-3.2-1b:4:0.7');
    expect(await card.getAttribute('data-kind')).toBe('answer');
    expect(await card.textContent()).toMatch(/speculative|draft/i);
    const bad = await ask(page, '/estimate llama-70b h100 spec-decod:mtp:3:0.8');
    expect(await bad.getAttribute('data-kind')).toBe('error');
    expect(await bad.textContent()).toMatch(/no option called spec-decod\. Did you mean spec-decode\?/);
  }, T);
});

describe('digests in the page', () => {
  it('links are drawn as links, never as raw markdown; the explainer ends in whole sentences', async () => {
    const card = await postDigest(page);
    const text = (await card.textContent())!;
    expect(text).not.toMatch(/\]\(https?:/);
    const changed = card.locator('.field', { hasText: 'What changed' });
    expect(await changed.locator('a[href^="https://"]').count()).toBeGreaterThan(0);
    const explained = await card.locator('.field', { hasText: 'Explained:' }).locator('.field-value').allTextContents();
    expect(explained.length).toBeGreaterThan(0);
    for (const v of explained) expect(v.replace(/\s*More: \/explain \S+$/, '').trim()).toMatch(/[.!?)]$/);
    expect(text).toContain('NVIDIA');
    // the whole card on one screen: a tall window, the card scrolled to the top
    const tall = await browser.newPage({ viewport: { width: 1100, height: 2300 } });
    try {
      await tall.goto(base + '/');
      const shown = await postDigest(tall);
      await shown.evaluate((el) => el.closest('.msg')!.scrollIntoView({ block: 'start' }));
      await tall.screenshot({ path: join(DOCS, 'playground-digest.png') });
    } finally {
      await tall.close();
    }
  }, T);
});

describe('a 390 px wide screen', () => {
  it('nothing overflows the page; wide tables scroll inside their card', async () => {
    const phone = await browser.newPage({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2 });
    try {
      await phone.goto(base + '/');
      await ask(phone, '/compare groq etched decode');
      const compare = cards(phone).nth((await cards(phone).count()) - 1); // pinned: .last() would move on to later cards
      await compare.evaluate((el) => el.closest('.msg')!.scrollIntoView({ block: 'start' }));
      await phone.screenshot({ path: join(DOCS, 'playground-390.png') });
      await ask(phone, '/landscape');
      await postDigest(phone);
      const overflow = await phone.evaluate(() => {
        const vw = document.documentElement.clientWidth;
        const wide = [...document.querySelectorAll('.card, .composer, .welcome, .msg')].filter((el) => el.getBoundingClientRect().right > vw + 0.5);
        return { page: document.documentElement.scrollWidth - vw, wide: wide.map((el) => el.className) };
      });
      expect(overflow).toEqual({ page: 0, wide: [] });
      // tables with a narrow version show it, whole, with both chips side by side; any other table scrolls in its box
      const shown = await phone.locator('.table-wrap').evaluateAll((wraps) => wraps.filter((w) => (w as HTMLElement).offsetParent !== null)
        .map((w) => ({ narrow: w.classList.contains('narrow-only'), fits: w.scrollWidth <= w.clientWidth + 1, scrolls: getComputedStyle(w).overflowX === 'auto' })));
      expect(shown.length).toBeGreaterThanOrEqual(3);
      for (const t of shown) expect(t.fits || t.scrolls).toBe(true);
      const compareTable = compare.locator('.table-wrap.narrow-only');
      expect(await compareTable.isVisible()).toBe(true);
      expect(await compareTable.evaluate((w) => w.scrollWidth <= w.clientWidth + 1)).toBe(true);
      expect(await compareTable.locator('th').allTextContents()).toEqual(['', 'Groq LPU v1', 'Etched Sohu']);
      expect(await compare.locator('.table-wrap.wide-only').isVisible()).toBe(false);
    } finally {
      await phone.close();
    }
  }, T);
});

describe('Discord embeds at Discord\'s width', () => {
  for (const [name, options, file] of [
    ['compare', { a: 'groq', b: 'etched', phase: 'both' }, 'discord-compare.png'],
    ['landscape', {}, 'discord-landscape.png'],
    ['disagg', { model: 'llama-70b', 'prefill-chip': 'b200', 'decode-chip': 'groq' }, 'discord-disagg.png'],
    ['sources', {}, 'discord-sources.png'],
  ] as const) {
    it(`/${name}: every table line fits without wrapping`, async () => {
      const reply = await runCommand(name, options as Record<string, unknown>, { catalog: catalog() });
      expect(reply.kind).toBe('answer');
      const png = reply.chart ? await renderChart(reply.chart) : null;
      const msg = toDiscord(reply, png ? { chartName: 'chart.png' } : {});
      const embedPage = await browser.newPage({ viewport: { width: 600, height: 900 } });
      try {
        await embedPage.setContent(discordEmbedHtml(msg, png ? `data:image/png;base64,${png.toString('base64')}` : undefined));
        const blocks = await embedPage.locator('pre').evaluateAll((pres) => pres.map((pre) => {
          const lines = (pre.textContent ?? '').split('\n').length;
          const lh = parseFloat(getComputedStyle(pre).lineHeight), pad = 14 + 2;
          return { lines, rendered: Math.round((pre.getBoundingClientRect().height - pad) / lh), widest: Math.max(...(pre.textContent ?? '').split('\n').map((l) => l.length)) };
        }));
        expect(blocks.length).toBeGreaterThan(0);
        for (const b of blocks) {
          expect(b.widest).toBeLessThanOrEqual(60);
          expect(b.rendered).toBe(b.lines); // no line wrapped
        }
        await embedPage.screenshot({ path: join(DOCS, file), fullPage: true });
      } finally {
        await embedPage.close();
      }
    }, T);
  }
});
