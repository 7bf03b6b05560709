// `memwall` on the command line: the same commands as the bot, human-readable or --json.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execute, type Command, type Context } from '../../../commands/command.ts';
import { COMMANDS, findCommand } from '../../../commands/index.ts';
import { validateReply } from '../../views/validation.ts';
import { catalog, CatalogError, DATA_DIR, loadCatalog } from '../../catalog/load.ts';
import { calibrate } from '../../core/calibrate.ts';
import type { Reply } from '../../reply/reply.ts';
import { renderText } from '../../reply/text.ts';

const USAGE = `memwall — reason about AI inference hardware

Usage:
  memwall fit <model> <chip> [--weights F] [--kv F] [--context TOKENS] [--batch B|max] [--chips N]
  memwall estimate --model <m> --chip <c> [--chips N] [--weights F] [--kv F] [--batch B|max]
                   [--input TOKENS] [--output TOKENS] [--spec-decode mtp:K:ACC | draft:MODEL:K:ACC]
  memwall compare <chip> <chip> [prefill|decode|both] [--model m]
  memwall disagg <model> <prefill-chip> <decode-chip> [--input TOKENS] [--output TOKENS]
                 [--users N --ttft-ms MS --tok-s-user T] [--link ID] [--chunk TOKENS]   goodput per chip, MW and $
  memwall frontier <model> <chip> [chip …] [--per chip|kw|usd] [--weights F] [--png FILE]
  memwall plan <model> [chip …] --ttft-ms MS (--tok-s-user T | --tpot-ms MS) (--users N | --rps R) [--max-chips N] [--budget USD/h] [--max-kw KW]
  memwall landscape [model]
  memwall chips | models | chip <c> | model <m> | explain [topic] | sources
  memwall digest subscribe --platform local|discord|slack --channel ID [--schedule S] [--timezone TZ] [--model M]
  memwall digest list [--json] | digest unsubscribe --platform P --channel ID | digest preview [--model M] [--png FILE]
  memwall validate            predicted vs measured for every published measurement
  memwall calibrate [--write] fit the efficiency constants to the calibration rows

Formats: fp32 bf16 fp16 fp8 int8 fp6 fp4 int4 int3 (default: the chip's usual serving format).
Add --json to any command for one JSON document. Exit 0 for an answer (a "does not fit" is an answer), 2 for bad input.`;

/** Positional arguments, in order, for each command. */
const POSITIONAL: Record<string, string[]> = {
  fit: ['model', 'chip'], estimate: ['model', 'chip'], compare: ['a', 'b', 'phase'], chip: ['name'], model: ['name'],
  disagg: ['model', 'prefill-chip', 'decode-chip'], landscape: ['model'], explain: ['topic'], help: ['command'],
  frontier: ['model', 'chip', 'chip2', 'chip3', 'chip4', 'chip5', 'chip6', 'chip7', 'chip8'], plan: ['model', 'chip', 'chip2', 'chip3', 'chip4'],
};

export interface CliResult { code: number; stdout: string; stderr: string }

function parseArgs(argv: string[]): { positional: string[]; flags: Record<string, string | true> } {
  const positional: string[] = [], flags: Record<string, string | true> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a.startsWith('--')) {
      const [k, inline] = a.slice(2).split('=', 2);
      if (inline !== undefined) flags[k] = inline;
      else if (i + 1 < argv.length && !argv[i + 1].startsWith('--')) flags[k] = argv[++i];
      else flags[k] = true;
    } else positional.push(a);
  }
  return { positional, flags };
}

function output(reply: Reply, json: boolean): CliResult {
  if (reply.kind === 'error') {
    const text = json ? JSON.stringify({ error: reply.summary, hint: reply.notes[0] }) + '\n' : `${reply.summary}${reply.notes.length ? `\n${reply.notes.join('\n')}` : ''}\n`;
    return { code: 2, stdout: '', stderr: text.replace(/`/g, '') };
  }
  return { code: 0, stdout: json ? JSON.stringify(reply.data ?? reply, null, 2) + '\n' : renderText(reply), stderr: '' };
}

export async function runCli(argv: string[]): Promise<CliResult> {
  const { positional, flags } = parseArgs(argv);
  const json = flags.json === true;
  delete flags.json;
  const png = typeof flags.png === 'string' ? flags.png : undefined;
  if (flags.png === true) return { code: 2, stdout: '', stderr: '--png needs a file name\n' };
  delete flags.png;
  const [name, ...rest] = positional;
  if (!name || name === 'help' || flags.help) return { code: name || flags.help ? 0 : 2, stdout: name || flags.help ? USAGE + '\n' : '', stderr: name || flags.help ? '' : USAGE + '\n' };

  if (name === 'calibrate') {
    const cat = loadCatalog(DATA_DIR, { efficiency: false });
    const { efficiency, log } = calibrate({ plan: cat.plan, measurements: cat.measurements, chips: cat.chipById, models: cat.modelById, deployment: cat.deployment });
    if (flags.write) writeFileSync(join(DATA_DIR, 'efficiency.json'), JSON.stringify(efficiency, null, 2) + '\n');
    const lines = log.map((l) => `${l.family.padEnd(18)} ${l.constant.padEnd(20)} ${l.value.toPrecision(4).padEnd(10)} ${l.rows.join(', ')}${l.perRow.length > 1 ? `  (each row alone: ${l.perRow.map((x) => x.toPrecision(3)).join(', ')})` : ''}`);
    return { code: 0, stdout: json ? JSON.stringify({ efficiency, log }, null, 2) + '\n' : `${lines.join('\n')}\n${flags.write ? 'wrote data/efficiency.json\n' : 'dry run; --write to save data/efficiency.json\n'}`, stderr: '' };
  }

  const ctx: Context = { catalog: catalog() };
  if (name === 'validate') return output(validateReply(ctx.catalog, true), json);
  if (name === 'digest') {
    const { runDigestCli } = await import('./digest-cli.ts');
    return runDigestCli(rest, flags, json, ctx.catalog, process.env.DATABASE_URL || process.env.MEMWALL_DB || 'var/memwall.db');
  }
  const alias: Record<string, [string, Record<string, string>]> = { chips: ['chip', {}], models: ['model', {}] };
  const [cmdName, preset] = alias[name] ?? [name, {}];
  const cmd: Command<any> | undefined = findCommand(cmdName);
  if (!cmd) {
    return { code: 2, stdout: '', stderr: `Unknown command "${name}". Commands: ${[...COMMANDS.map((c) => c.name), 'chips', 'models', 'validate', 'calibrate'].join(', ')}.\n` };
  }
  const raw: Record<string, unknown> = { ...preset };
  const names = POSITIONAL[cmd.name] ?? [];
  if (rest.length > names.length) return { code: 2, stdout: '', stderr: `Too many arguments for ${cmd.name}: ${rest.slice(names.length).join(' ')}\n` };
  rest.forEach((v, i) => { raw[names[i]] = v; });
  const known = new Set([...cmd.options.map((o) => o.name), ...Object.keys((cmd.input as any).shape ?? {})]);
  for (const [k, v] of Object.entries(flags)) {
    if (!known.has(k)) return { code: 2, stdout: '', stderr: `Unknown option --${k} for ${cmd.name}. Options: ${[...known].map((o) => `--${o}`).join(' ')}\n` };
    if (v === true) return { code: 2, stdout: '', stderr: `--${k} needs a value\n` };
    raw[k] = v;
  }
  const reply = await execute(cmd, raw, ctx);
  const result = output(reply, json);
  // a chart goes to a PNG file when asked (--png FILE); /frontier writes one by default unless --json
  const file = png ?? (cmd.name === 'frontier' && !json ? `frontier-${String(raw.model).replace(/[^\w.-]+/g, '_')}.png` : undefined);
  if (file && reply.kind === 'answer') {
    const { renderChart } = await import('../../charts/render.ts');
    const image = reply.chart ? await renderChart(reply.chart) : null;
    if (image) { writeFileSync(file, image); if (!json) result.stdout += `Chart written to ${file}\n`; }
    else result.stderr += `No chart to write${reply.chart ? ' (rendering failed)' : ''}.\n`;
  }
  return result;
}

async function main() {
  try {
    const r = await runCli(process.argv.slice(2));
    if (r.stdout) process.stdout.write(r.stdout);
    if (r.stderr) process.stderr.write(r.stderr);
    process.exitCode = r.code;
  } catch (e) {
    if (e instanceof CatalogError) { process.stderr.write(`memwall: the catalog in data/ is broken: ${e.message}\n`); process.exitCode = 1; return; }
    throw e;
  }
}

if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) await main();
export { main };
