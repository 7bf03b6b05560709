// Chart spec → PNG without a browser: vega-lite → vega → SVG → resvg, with the font shipped in assets/fonts.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type * as VegaNs from 'vega';

// The chart stack (vega, vega-lite, resvg) is large: it loads on the first chart drawn, not when the process starts.
type Vega = typeof VegaNs;
let stack: Promise<{ vega: Vega; vl: typeof import('vega-lite'); Resvg: typeof import('@resvg/resvg-js').Resvg }> | undefined;
const chartStack = () => (stack ??= Promise.all([import('vega'), import('vega-lite'), import('@resvg/resvg-js')])
  .then(([vega, vl, resvg]) => ({ vega: vega as unknown as Vega, vl, Resvg: resvg.Resvg })));

export const FONT_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'assets', 'fonts');
export const FONT_FILES = [join(FONT_DIR, 'DejaVuSans.ttf'), join(FONT_DIR, 'DejaVuSans-Bold.ttf')];
export const FONT_FAMILY = 'DejaVu Sans';

export interface RenderOptions {
  /** font files to load; defaults to the shipped DejaVu Sans (tests pass [] to prove text depends on them) */
  fontFiles?: string[];
  /** output scale; 2 gives a crisp image on high-DPI screens and in Discord/Slack previews */
  zoom?: number;
}

/** A vega loader that never touches the network or the disk: every chart carries its data inline. */
function offlineLoader(vega: Vega): ReturnType<Vega['loader']> {
  const loader = vega.loader();
  const refuse = async (uri: string) => { throw new Error(`charts load no external data (asked for ${uri})`); };
  loader.load = refuse as typeof loader.load;
  loader.sanitize = refuse as unknown as typeof loader.sanitize;
  return loader;
}

/**
 * A vega/vega-lite logger that stays quiet about harmless warnings but remembers the ones that mean the chart is
 * wrong (data that could not be loaded or parsed) and every error.
 */
function strictLogger() {
  const problems: string[] = [];
  let lvl = 2;
  const text = (args: unknown[]) => args.map((a) => (a instanceof Error ? a.message : String(a))).join(' ');
  const logger = {
    level(l?: number) { if (l === undefined) return lvl; lvl = l; return logger; },
    error(...args: unknown[]) { problems.push(text(args)); return logger; },
    warn(...args: unknown[]) { const t = text(args); if (/failed/i.test(t)) problems.push(t); return logger; },
    info() { return logger; },
    debug() { return logger; },
  };
  return { logger, problems };
}

/** Vega-lite spec → SVG string. Throws on an invalid spec or one whose data cannot be had. */
export async function chartSvg(spec: Record<string, unknown>): Promise<string> {
  if (!spec || typeof spec !== 'object') throw new Error('no chart spec');
  const { vega, vl } = await chartStack();
  const { logger, problems } = strictLogger();
  const compiled = vl.compile(spec as unknown as import('vega-lite').TopLevelSpec, { logger: logger as never }).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none', loader: offlineLoader(vega), logger: logger as never });
  try {
    const svg = await view.toSVG();
    if (problems.length) throw new Error(problems[0]);
    return svg;
  } finally {
    view.finalize();
  }
}

/**
 * Render a chart to PNG. Never throws: any failure (bad spec, missing font, resvg error) logs one line and returns
 * null, so the caller can still send the reply without its image.
 */
export async function renderChart(chart: { spec: Record<string, unknown>; alt: string }, opts: RenderOptions = {}): Promise<Buffer | null> {
  try {
    const fontFiles = opts.fontFiles ?? FONT_FILES;
    const missing = fontFiles.filter((f) => !existsSync(f));
    if (missing.length) throw new Error(`font file missing: ${missing.join(', ')}`);
    const svg = await chartSvg(chart.spec);
    const { Resvg } = await chartStack();
    // Generic families ("sans-serif") would resolve to fonts we do not load; name the shipped one instead.
    const fixed = svg.replace(/font-family="[^"]*"/g, `font-family="${FONT_FAMILY}"`);
    const resvg = new Resvg(fixed, {
      fitTo: { mode: 'zoom', value: opts.zoom ?? 2 },
      background: 'white',
      font: { fontFiles, loadSystemFonts: false, defaultFontFamily: FONT_FAMILY },
    });
    const png = resvg.render().asPng();
    return Buffer.from(png);
  } catch (e) {
    console.error(`chart render failed (${chart.alt.slice(0, 60) || 'no alt'}): ${(e as Error).message?.split('\n')[0] ?? e}`);
    return null;
  }
}
