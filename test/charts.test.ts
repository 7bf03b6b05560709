// Charts: real core results → vega-lite spec → PNG, with the shipped font actually drawing the text.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { buildScenario, isReply } from '../src/views/scenario.ts';
import { catalog } from '../src/catalog/load.ts';
import { chartSvg, renderChart } from '../src/charts/render.ts';
import { landscapeChart, type LandscapePoint } from '../src/charts/specs.ts';
import { lineGroup, shortName } from '../src/views/landscape.ts';
import { estimate } from '../src/core/estimate.ts';
import { runCommand } from '../src/platforms/dispatch.ts';

const DOCS = join(import.meta.dirname, '..', 'docs');
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

interface Image { width: number; height: number; rgba: Uint8Array }

/** A minimal PNG decoder (8-bit RGB/RGBA, non-interlaced — what resvg writes), so tests can look at pixels. */
function decodePng(buf: Buffer): Image {
  expect(buf.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
  let off = 8, width = 0, height = 0, colorType = 0, bitDepth = 0, interlace = 0;
  const idat: Buffer[] = [];
  while (off < buf.length) {
    const len = buf.readUInt32BE(off), type = buf.toString('latin1', off + 4, off + 8), data = buf.subarray(off + 8, off + 8 + len);
    if (type === 'IHDR') { width = data.readUInt32BE(0); height = data.readUInt32BE(4); bitDepth = data[8]; colorType = data[9]; interlace = data[12]; }
    if (type === 'IDAT') idat.push(data);
    if (type === 'IEND') break;
    off += 12 + len;
  }
  if (bitDepth !== 8 || (colorType !== 6 && colorType !== 2) || interlace !== 0) throw new Error(`unsupported PNG: depth ${bitDepth}, colour ${colorType}, interlace ${interlace}`);
  const bpp = colorType === 6 ? 4 : 3, stride = width * bpp;
  const raw = inflateSync(Buffer.concat(idat));
  const out = new Uint8Array(width * height * 4);
  let prev = new Uint8Array(stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    const cur = new Uint8Array(stride);
    for (let x = 0; x < stride; x++) {
      const a = x >= bpp ? cur[x - bpp] : 0, b = prev[x], c = x >= bpp ? prev[x - bpp] : 0;
      let p: number;
      switch (filter) {
        case 0: p = 0; break;
        case 1: p = a; break;
        case 2: p = b; break;
        case 3: p = (a + b) >> 1; break;
        case 4: { const q = a + b - c, pa = Math.abs(q - a), pb = Math.abs(q - b), pc = Math.abs(q - c); p = pa <= pb && pa <= pc ? a : pb <= pc ? b : c; break; }
        default: throw new Error(`bad PNG filter ${filter}`);
      }
      cur[x] = (line[x] + p) & 0xff;
    }
    for (let x = 0; x < width; x++) {
      const o = (y * width + x) * 4;
      out[o] = cur[x * bpp]; out[o + 1] = cur[x * bpp + 1]; out[o + 2] = cur[x * bpp + 2]; out[o + 3] = bpp === 4 ? cur[x * bpp + 3] : 255;
    }
    prev = cur;
  }
  return { width, height, rgba: out };
}

/** Pixels darker than mid-grey inside a rectangle (text and axis lines are dark; bars are mid-blue, background white). */
function darkPixels(img: Image, x0: number, y0: number, x1: number, y1: number): number {
  let n = 0;
  for (let y = y0; y < Math.min(y1, img.height); y++) {
    for (let x = x0; x < Math.min(x1, img.width); x++) {
      const o = (y * img.width + x) * 4;
      if (img.rgba[o] + img.rgba[o + 1] + img.rgba[o + 2] < 3 * 90) n++;
    }
  }
  return n;
}

/** Decode speed per user on Llama 3.1 70B for every chip that can run it, from the real core. */
function landscapePoints(): LandscapePoint[] {
  const cat = catalog();
  const points: LandscapePoint[] = [];
  for (const chip of cat.chips) {
    const built = buildScenario(cat, { model: 'llama-3.1-70b', chip: chip.id }, { input: 1024, output: 1024 });
    if (isReply(built)) continue;
    const e = estimate(built.scenario);
    if (!e.decode) continue;
    const r = e.decode.tokensPerSecondPerUser;
    points.push({ chip: shortName(chip.name), vendor: chip.vendor, group: lineGroup(chip), spectrum: chip.spectrum.position, perUser: r.expected, low: r.low, high: r.high, chips: e.chips, unit: chip.unit });
  }
  return points;
}

describe('renderChart', () => {
  let compare: { spec: Record<string, unknown>; alt: string };
  let landscape: { spec: Record<string, unknown>; alt: string };

  beforeAll(async () => {
    const reply = await runCommand('compare', { a: 'groq', b: 'etched', phase: 'both' }, { catalog: catalog() });
    expect(reply.kind).toBe('answer');
    expect(reply.chart).toBeDefined();
    compare = reply.chart!;
    const points = landscapePoints();
    expect(points.length).toBeGreaterThan(5);
    landscape = landscapeChart('Llama 3.1 70B', points);
  });

  it('renders the compare chart to a PNG with the text drawn', async () => {
    const png = await renderChart(compare);
    expect(png).toBeInstanceOf(Buffer);
    expect(png!.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
    expect(png!.length).toBeGreaterThan(10_000);
    expect(png!.length).toBeLessThan(2_000_000);
    const img = decodePng(png!);
    expect(img.width).toBeGreaterThan(600); // zoom 2
    expect(img.height).toBeGreaterThan(200);
    // the title sits alone in the top strip: with the font it is dark ink, without any font it would be blank
    const titleInk = darkPixels(img, 0, 0, img.width, 50);
    expect(titleInk).toBeGreaterThan(500);
    mkdirSync(DOCS, { recursive: true });
    writeFileSync(join(DOCS, 'chart-compare.png'), png!);
  });

  it('renders the landscape chart to a PNG with the text drawn', async () => {
    const png = await renderChart(landscape);
    expect(png).not.toBeNull();
    expect(png!.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
    expect(png!.length).toBeGreaterThan(10_000);
    const img = decodePng(png!);
    expect(img.width).toBeGreaterThan(800);
    expect(darkPixels(img, 0, 0, img.width, 60)).toBeGreaterThan(500); // title + subtitle
    writeFileSync(join(DOCS, 'chart-landscape.png'), png!);
  });

  it('draws text only because of the shipped font (no font → no text, same geometry)', async () => {
    const withFont = decodePng((await renderChart(compare))!);
    const noFont = decodePng((await renderChart(compare, { fontFiles: [] }))!);
    expect(noFont.width).toBe(withFont.width);
    const inkWith = darkPixels(withFont, 0, 0, withFont.width, 50);
    const inkWithout = darkPixels(noFont, 0, 0, noFont.width, 50);
    expect(inkWithout).toBeLessThan(inkWith / 20);
    // and over the whole image: labels, tick values and the figures beside the bars are text too
    const all = (i: Image) => darkPixels(i, 0, 0, i.width, i.height);
    expect(all(withFont)).toBeGreaterThan(all(noFont) * 2);
  });

  it('puts the chip names and the title into the SVG', async () => {
    const svg = await chartSvg(compare.spec);
    expect(svg).toContain('Etched Sohu');
    expect(svg).toContain('Llama 3.1 70B');
    expect(svg).toContain('font-family="DejaVu Sans"');
  });

  it('returns null (and logs one line) for an invalid spec, a spec asking for external data, or a missing font', async () => {
    const log = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      expect(await renderChart({ spec: { mark: 'no-such-mark', data: { values: [] } }, alt: 'bad' })).toBeNull();
      expect(await renderChart({ spec: null as unknown as Record<string, unknown>, alt: 'null' })).toBeNull();
      expect(await renderChart({ spec: { data: { url: 'http://example.com/x.json' }, mark: 'bar', encoding: { x: { field: 'a', type: 'quantitative' } } }, alt: 'remote' })).toBeNull();
      expect(await renderChart(compare, { fontFiles: ['/nonexistent/font.ttf'] })).toBeNull();
      expect(log).toHaveBeenCalledTimes(4);
      for (const call of log.mock.calls) expect(String(call[0])).not.toContain('\n');
    } finally {
      log.mockRestore();
    }
  });
});
