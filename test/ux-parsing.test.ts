// Names and options as a new user types them, through the Slack parser and the CLI (issue 10 bugs 1–3, 11;
// issue 11 items 8–10). The playground's half of the same bugs is in ux-playground.e2e.test.ts.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { findCommand } from '../commands/index.ts';
import { parseCommandText } from '../src/platforms/slack/parse.ts';
import { runCli } from '../src/platforms/local/cli.ts';

const run = promisify(execFile);
const cmd = (n: string) => findCommand(n)!;
const opts = (name: string, text: string) => {
  const r = parseCommandText(cmd(name), text);
  if ('error' in r) throw new Error(`expected "${text}" to parse, got: ${r.error}`);
  return r.options;
};

describe('multi-word names resolve greedily (the longest run of words naming a catalog entry wins)', () => {
  it('Slack: /fit llama-70b h100 sxm and /fit llama 3.1 70b h100 sxm fp8', () => {
    expect(opts('fit', 'llama-70b h100 sxm')).toEqual({ model: 'llama-70b', chip: 'h100 sxm' });
    expect(opts('fit', 'llama 3.1 70b h100 sxm fp8')).toEqual({ model: 'llama 3.1 70b', chip: 'h100 sxm', weights: 'fp8' });
    expect(opts('compare', 'h100 sxm groq decode')).toEqual({ a: 'h100 sxm', b: 'groq', phase: 'decode' });
    expect(opts('disagg', 'llama 3.1 70b b200 groq')).toEqual({ model: 'llama 3.1 70b', 'prefill-chip': 'b200', 'decode-chip': 'groq' });
  });

  it('CLI: memwall fit llama 3.1 70b h100 sxm fp8 answers on an H100 SXM in FP8', async () => {
    const r = await runCli(['fit', 'llama', '3.1', '70b', 'h100', 'sxm', 'fp8']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Llama 3\.1 70B on NVIDIA H100 SXM/);
    expect(r.stdout).toMatch(/at FP8/);
  });
});

describe('kv and spec-decode are options everywhere; an unknown option is named with the closest one', () => {
  it('Slack: kv:bf16 and spec-decode:draft:… are taken as options', () => {
    expect(opts('fit', 'llama-70b h100 kv:fp8')).toMatchObject({ kv: 'fp8' });
    expect(opts('estimate', 'llama-70b h100 spec-decode:draft:llama-3.2-1b:4:0.7')).toMatchObject({ 'spec-decode': 'draft:llama-3.2-1b:4:0.7' });
  });

  it('every estimating command lists kv, and /estimate lists spec-decode, so Discord and /help show them', () => {
    for (const n of ['fit', 'estimate']) expect(cmd(n).options.map((o) => o.name)).toContain('kv');
    expect(cmd('estimate').options.map((o) => o.name)).toContain('spec-decode');
  });

  it('Slack: an unknown option name is named, with the closest valid one suggested', () => {
    const r = parseCommandText(cmd('estimate'), 'llama-70b h100 spec-decod:mtp:3:0.8');
    expect(r).toMatchObject({ error: expect.stringContaining('`spec-decod`') });
    expect('error' in r && `${r.error} ${r.hint}`).toMatch(/Did you mean `spec-decode`/);
  });

  it('CLI: an unknown --option is named with the closest suggestion; a command without options says so', async () => {
    const a = await runCli(['fit', 'llama-70b', 'h100', '--weigths', 'fp8']);
    expect(a.code).toBe(2);
    expect(a.stderr).toMatch(/--weigths/);
    expect(a.stderr).toMatch(/Did you mean --weights\?/);
    const b = await runCli(['sources', '--x', '1']);
    expect(b.code).toBe(2);
    expect(b.stderr).toMatch(/sources takes no options/);
    expect(b.stderr).not.toMatch(/Options: *$/m);
  });
});

describe('option errors in plain words (issue 11 #8, #9)', () => {
  it('CLI: a missing chip names the option, what it takes and an example, with CLI syntax', async () => {
    const r = await runCli(['fit', 'llama-70b']);
    expect(r.code).toBe(2);
    expect(r.stderr).not.toMatch(/Invalid input|expected string|received undefined/);
    expect(r.stderr).toMatch(/needs the chip option \(chip or vendor/);
    expect(r.stderr).toMatch(/memwall fit llama-70b cerebras/);
    expect(r.stderr).toMatch(/memwall help fit/);
    expect(r.stderr).not.toMatch(/\/help/);
  });

  it('Slack/chat: a missing option is explained the same way, with chat syntax', async () => {
    const { runCommand } = await import('../src/platforms/dispatch.ts');
    const { catalog } = await import('../src/catalog/load.ts');
    const reply = await runCommand('fit', { model: 'llama-70b' }, { catalog: catalog() });
    const text = `${reply.summary} ${reply.notes.join(' ')}`;
    expect(text).not.toMatch(/Invalid input|expected string/);
    expect(text).toMatch(/needs the `chip` option \(chip or vendor/);
    expect(text).toMatch(/`\/fit llama-70b cerebras`/);
  });

  it('CLI: --batch 1e308 is too large, with the maximum', async () => {
    const r = await runCli(['fit', 'llama-70b', 'h100', '--batch', '1e308']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/too large/i);
    expect(r.stderr).toMatch(/1,000,000/);
    expect(r.stderr).not.toMatch(/whole number/);
  });

  it('CLI: digest preview --png to a path that cannot be written gives one line and exit 2 (real process)', async () => {
    for (const bad of ['/nonexistent-dir/x.png', '/tmp', '/proc/version']) {
      const err = await run(process.execPath, ['bin/memwall.js', 'digest', 'preview', '--png', bad], { cwd: process.cwd() }).catch((e) => e);
      expect(err.code, bad).toBe(2);
      expect(err.stderr.trim().split('\n'), bad).toHaveLength(1);
      expect(err.stderr, bad).toContain(bad);
      expect(err.stderr, bad).not.toMatch(/ at |Error:/);
    }
    // the same for any chart the CLI writes
    const f = await runCli(['frontier', 'llama-3.1-8b', 'h100', '--png', '/nonexistent-dir/x.png']);
    expect(f.code).toBe(2);
    expect(f.stderr.trim().split('\n')).toEqual([expect.stringContaining('/nonexistent-dir/x.png: the folder does not exist')]);
  }, 60_000);
});

describe('playground suggestions after a multi-word name', () => {
  it('after "llama 3.1 70b" the next suggestions are chips; after "h100 sxm" they are formats', async () => {
    const { completeSlash } = await import('../src/platforms/local/slash.ts');
    const { catalog } = await import('../src/catalog/load.ts');
    const ctx = { catalog: catalog() };
    const chips = new Set(catalog().chips.map((c) => c.id));
    expect(completeSlash('/fit llama 3.1 70b ', ctx).slice(0, 5).every((s) => chips.has(s.detail ?? ''))).toBe(true);
    expect(completeSlash('/fit llama-70b h100 sxm ', ctx).map((s) => s.label)).toContain('fp8');
  });
});
