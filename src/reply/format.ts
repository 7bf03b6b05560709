// Numbers that read well: thousands separators, sensible significant figures, units that scale.
import type { Range } from '../core/types.ts';

// toLocaleString with options builds a new Intl.NumberFormat on every call; one formatter per digit count is reused
const formatters: Intl.NumberFormat[] = [];
function formatter(digits: number): Intl.NumberFormat {
  return (formatters[digits] ??= new Intl.NumberFormat('en-US', { maximumFractionDigits: digits }));
}

export function num(x: number, sig = 3): string {
  if (!Number.isFinite(x)) return '—';
  if (x === 0) return '0';
  const abs = Math.abs(x);
  if (abs >= 10 ** sig) return formatter(0).format(Math.round(x));
  const digits = Math.min(Math.max(0, sig - 1 - Math.floor(Math.log10(abs))), 6);
  return formatter(digits).format(Number(x.toFixed(digits)));
}

export function range(r: Range | null | undefined, unit = '', sig = 3): string {
  if (!r) return 'unknown';
  const u = unit ? ` ${unit}` : '';
  if (num(r.low, 2) === num(r.high, 2)) return `${num(r.expected, sig)}${u}`;
  return `${num(r.expected, sig)}${u} (${num(r.low, 2)}–${num(r.high, 2)})`;
}

export function bytes(b: number): string {
  const abs = Math.abs(b);
  if (abs >= 1e12) return `${num(b / 1e12)} TB`;
  if (abs >= 1e9) return `${num(b / 1e9)} GB`;
  if (abs >= 1e6) return `${num(b / 1e6)} MB`;
  if (abs >= 1e3) return `${num(b / 1e3)} kB`;
  return `${num(b)} B`;
}

/** KiB-based, as KV sizes are usually quoted */
export function kib(b: number): string {
  return b >= 1024 * 1024 ? `${num(b / 1024 / 1024)} MiB` : `${num(b / 1024)} KiB`;
}

export function ms(x: number): string {
  if (x >= 1000) return `${num(x / 1000)} s`;
  if (x >= 1) return `${num(x)} ms`;
  return `${num(x * 1000)} µs`;
}

export function msRange(r: Range | null | undefined): string {
  if (!r) return 'unknown';
  if (ms(r.low) === ms(r.high)) return ms(r.expected);
  return `${ms(r.expected)} (${ms(r.low)}–${ms(r.high)})`;
}

/** a share as a whole percentage: 0.604 → "60%" */
export function pct(share: number): string {
  return `${Math.round(100 * share)}%`;
}

export function tokens(n: number): string {
  if (n >= 1_000_000 && n % 1_000_000 === 0) return `${n / 1_000_000}M`;
  if (n >= 1024 && n % 1024 === 0) return `${n / 1024}K`;
  return n.toLocaleString('en-US');
}

export function count(n: number, unit: string): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? unit : `${unit}s`}`;
}
