// data/interconnects.json: the links chips talk over (NVLink, PCIe, InfiniBand, RoCE, Ethernet, vendor fabrics), each
// with a sourced bandwidth and collective latency. A missing file means "no interconnect data", never a crash.
import { existsSync, readFileSync } from 'node:fs';
import { z } from 'zod';
import { Figure, Source } from './schema.ts';

export const InterconnectKind = z.enum(['nvlink', 'pcie', 'infiniband', 'roce', 'ethernet', 'vendor']);
export type InterconnectKind = z.infer<typeof InterconnectKind>;

export const Interconnect = z.object({
  id: z.string().regex(/^[a-z0-9][a-z0-9.-]*$/),
  name: z.string().min(1),
  kind: InterconnectKind,
  /** per port (per chip), per direction, GB/s; null when unpublished */
  bandwidthGBs: Figure.nullable(),
  /** small-message collective latency, µs; null when not found */
  collectiveLatencyUs: Figure.nullable(),
  hopLatencyUs: Figure.nullable(),
  notes: z.array(z.string()).default([]),
  sources: z.record(z.string(), Source),
});
export type Interconnect = z.infer<typeof Interconnect>;

export const InterconnectsFile = z.array(Interconnect);

/** Parse an interconnects document; throws a message naming the entry and field on a broken one. */
export function parseInterconnects(raw: unknown, where = 'data/interconnects.json'): Interconnect[] {
  if (!Array.isArray(raw)) throw new Error(`${where}: expected a JSON array of interconnects`);
  const out = raw.map((entry, i) => {
    const r = Interconnect.safeParse(entry);
    if (!r.success) {
      const first = r.error.issues[0];
      throw new Error(`${where} (entry ${i}, ${(entry as { id?: string })?.id ?? '?'}): field ${first.path.join('.') || '(root)'}: ${first.message}`);
    }
    const ic = r.data;
    for (const f of ['bandwidthGBs', 'collectiveLatencyUs', 'hopLatencyUs'] as const) {
      for (const key of ic[f]?.sources ?? []) if (!(key in ic.sources)) throw new Error(`${where} (${ic.id}): field ${f}.sources: source "${key}" is not in the entry's sources`);
    }
    if (ic.bandwidthGBs && !(ic.bandwidthGBs.value > 0)) throw new Error(`${where} (${ic.id}): field bandwidthGBs.value: must be positive`);
    return ic;
  });
  const seen = new Set<string>();
  for (const ic of out) {
    if (seen.has(ic.id)) throw new Error(`${where}: two interconnects have the id "${ic.id}"`);
    seen.add(ic.id);
  }
  return out;
}

/** Read an interconnects file if it exists: missing → an empty list. */
export function loadInterconnects(file: string): Interconnect[] {
  if (!existsSync(file)) return [];
  let raw: unknown;
  try { raw = JSON.parse(readFileSync(file, 'utf8')); } catch (e) { throw new Error(`data/interconnects.json: not valid JSON (${(e as Error).message})`); }
  return parseInterconnects(raw);
}

/** Find an interconnect by id, name or kind as typed ("ib", "infiniband", "roce", "nvlink-5"). */
export function findInterconnect(list: Interconnect[], text: string): Interconnect | undefined {
  const t = text.trim().toLowerCase().replace(/[\s_]+/g, '-');
  const kindAlias: Record<string, InterconnectKind> = { ib: 'infiniband', infiniband: 'infiniband', roce: 'roce', ethernet: 'ethernet', eth: 'ethernet', nvlink: 'nvlink', pcie: 'pcie' };
  return list.find((ic) => ic.id === t) ?? list.find((ic) => ic.name.toLowerCase().replace(/[\s_]+/g, '-') === t)
    ?? (kindAlias[t] ? list.find((ic) => ic.kind === kindAlias[t]) : undefined);
}
