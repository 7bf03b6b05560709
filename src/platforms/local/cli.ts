// `memwall` on the command line: the same commands as the bot, human-readable or --json.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execute, type Command, type Context } from '../../../commands/command.ts';
import { COMMANDS, findCommand } from '../../../commands/index.ts';
import { validateReply } from '../../views/validation.ts';
import { catalog, CatalogError, DATA_DIR, loadCatalog } from '../../catalog/load.ts';
import { useParsedCache } from '../../catalog/cache.ts';
import { calibrate } from '../../core/calibrate.ts';
import type { Reply } from '../../reply/reply.ts';
import { renderText } from '../../reply/text.ts';
import { EXAMPLES } from '../../../commands/examples.ts';
import { assignPositional, rewriteCommands, unknownOption } from '../args.ts';
import { writeProblem } from './files.ts';

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

Formats: fp32 bf16 fp16 fp8 int8 fp6 fp4 int4 int3 (default: the chip's usual serving format, or the model's released one where narrower).
Add --json to any command for one JSON document. Exit 0 for an answer (a "does not fit" is an answer), 2 for bad input.`;

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

/** Chat syntax in a message ("Try `/help fit`", "`/fit llama-70b cerebras`") as the CLI command it means. */
export function cliSyntax(text: string): string {
  return rewriteCommands(text, COMMANDS.map((c) => c.name), 'memwall ');
}

function output(reply: Reply, json: boolean): CliResult {
  if (reply.kind === 'error') {
    const summary = cliSyntax(reply.summary), hint = reply.notes[0] ? cliSyntax(reply.notes[0]) : undefined;
    const text = json ? JSON.stringify({ error: summary, hint }) + '\n' : `${summary}${reply.notes.length ? `\n${reply.notes.map(cliSyntax).join('\n')}` : ''}\n`;
    return { code: 2, stdout: '', stderr: text.replace(/`/g, '') };
  }
  return { code: 0, stdout: json ? JSON.stringify(reply.data ?? reply, null, 2) + '\n' : renderText(reply), stderr: '' };
}

const fail = (msg: string): CliResult => ({ code: 2, stdout: '', stderr: `${cliSyntax(msg).replace(/`/g, '')}\n` });

export async function runCli(argv: string[]): Promise<CliResult> {
  const { positional, flags } = parseArgs(argv);
  const json = flags.json === true;
  delete flags.json;
  const png = typeof flags.png === 'string' ? flags.png : undefined;
  if (flags.png === true) return { code: 2, stdout: '', stderr: '--png needs a file name\n' };
  delete flags.png;
  const [name, ...rest] = positional;
  if (!name || (name === 'help' && !rest.length) || flags.help) return { code: name || flags.help ? 0 : 2, stdout: name || flags.help ? USAGE + '\n' : '', stderr: name || flags.help ? '' : USAGE + '\n' };

  if (name === 'calibrate') {
    const cat = loadCatalog(DATA_DIR, { efficiency: false });
    const { efficiency, log } = calibrate({ plan: cat.plan, measurements: cat.measurements, chips: cat.chipById, models: cat.modelById });
    if (flags.write) writeFileSync(join(DATA_DIR, 'efficiency.json'), JSON.stringify(efficiency, null, 2) + '\n');
    const lines = log.map((l) => `${l.family.padEnd(18)} ${l.constant.padEnd(20)} ${l.value.toPrecision(4).padEnd(10)} ${l.rows.join(', ')}${l.perRow.length > 1 ? `  (each row alone: ${l.perRow.map((x) => x.toPrecision(3)).join(', ')})` : ''}`);
    return { code: 0, stdout: json ? JSON.stringify({ efficiency, log }, null, 2) + '\n' : `${lines.join('\n')}\n${flags.write ? 'wrote data/efficiency.json\n' : 'dry run; --write to save data/efficiency.json\n'}`, stderr: '' };
  }

  useParsedCache();
  const ctx: Context = { catalog: catalog() };
  if (name === 'validate') return output(validateReply(ctx.catalog, true), json);
  if (name === 'digest') {
    const { runDigestCli } = await import('./digest-cli.ts');
    return runDigestCli(rest, png ? { ...flags, png } : flags, json, ctx.catalog, process.env.DATABASE_URL || process.env.MEMWALL_DB || 'var/memwall.db');
  }
  const alias: Record<string, [string, Record<string, string>]> = { chips: ['chip', {}], models: ['model', {}] };
  const [cmdName, preset] = alias[name] ?? [name, {}];
  const cmd: Command<any> | undefined = findCommand(cmdName);
  if (!cmd) {
    return { code: 2, stdout: '', stderr: `Unknown command "${name}". Commands: ${[...COMMANDS.map((c) => c.name), 'chips', 'models', 'validate', 'calibrate'].join(', ')}.\n` };
  }
  const raw: Record<string, unknown> = { ...preset };
  const specs = cmd.options;
  const known = [...new Set([...specs.map((o) => o.name), ...Object.keys((cmd.input as any).shape ?? {})])];
  for (const [k, v] of Object.entries(flags)) {
    const name = known.find((o) => o.toLowerCase() === k.toLowerCase());
    if (!name) { const u = unknownOption(cmd.name, k, known, (n) => `--${n}`); return fail(`${u.error}\n${u.hint}`); }
    if (v === true) return fail(`--${k} needs a value, e.g. \`${EXAMPLES[cmd.name] ?? `/${cmd.name}`}\`.`);
    raw[name] = v;
  }
  // the chat forms work too: "weights:fp8", "chips=8"
  const words: string[] = [];
  for (const w of rest) {
    const m = /^([A-Za-z][\w-]*)[:=](.+)$/s.exec(w);
    const name = m && known.find((o) => o.toLowerCase() === m[1].toLowerCase());
    if (m && name) raw[name] = m[2];
    else if (m && /^(draft|mtp)$/i.test(m[1]) && known.includes('spec-decode')) raw['spec-decode'] = w;
    else if (m) { const u = unknownOption(cmd.name, m[1], known, (n) => `--${n}`); return fail(`${u.error}\n${u.hint}`); }
    else words.push(w);
  }
  const { values, extra } = assignPositional(specs.filter((o) => !(o.name in raw)), words, ctx.catalog);
  if (extra.length) return fail(`Too many values for ${cmd.name}: I don't know where "${extra.join(' ')}" goes. Try \`/help ${cmd.name}\`.`);
  Object.assign(raw, values);
  if (cmd.name === 'help') {
    const r = await execute(cmd, raw, ctx);
    return r.kind === 'error' ? output(r, json) : { ...output(r, json), stdout: cliSyntax(output(r, json).stdout) };
  }
  const reply = await execute(cmd, raw, ctx);
  const result = output(reply, json);
  // a chart goes to a PNG file when asked (--png FILE); /frontier writes one by default unless --json
  const file = png ?? (cmd.name === 'frontier' && !json ? `frontier-${String(raw.model).replace(/[^\w.-]+/g, '_')}.png` : undefined);
  if (file && reply.kind === 'answer') {
    const { renderChart } = await import('../../charts/render.ts');
    const image = reply.chart ? await renderChart(reply.chart) : null;
    if (image) {
      try { writeFileSync(file, image); } catch (e) { return { code: 2, stdout: '', stderr: `memwall: cannot write the chart to ${file}: ${writeProblem(e)}.\n` }; }
      if (!json) result.stdout += `Chart written to ${file}\n`;
    }
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
