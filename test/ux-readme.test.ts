// Every example in the README works exactly as written (issue 10): each `memwall …` command through the CLI, each chat
// example through the playground's parser and the commands, and the shown outputs start as the real ones do.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catalog } from '../src/catalog/load.ts';
import { runCommand } from '../src/platforms/dispatch.ts';
import { runCli } from '../src/platforms/local/cli.ts';
import { parseSlash } from '../src/platforms/local/slash.ts';

const README = readFileSync(join(import.meta.dirname, '..', 'README.md'), 'utf8');
const spans = [...README.matchAll(/`([^`\n]+)`/g)].map((m) => m[1]);
const blockLines = [...README.matchAll(/```\n([\s\S]*?)```/g)].flatMap((m) => m[1].split('\n'));

/** Shell words, with "double quotes" kept together. */
const words = (cmd: string) => [...cmd.matchAll(/"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2]);
const placeholder = (s: string) => /…|<[^>]*>|\[--/.test(s); // usage lines ("[--per chip|kw]") are not examples

const cliExamples = [...new Set([...spans, ...blockLines.map((l) => l.replace(/^\$ /, ''))]
  .map((s) => s.trim().replace(/^npx /, ''))
  .filter((s) => /^memwall \S/.test(s) && !placeholder(s)))];
// a bare `/disagg` in a sentence names the command; an example has its values (or is a command that needs none)
const chatExamples = [...new Set(spans.filter((s) => (/^\/(fit|compare|estimate|disagg|landscape|chip|model|explain|sources|help) \S/.test(s) || /^\/(landscape|chip|model|explain|sources|help)$/.test(s)) && !placeholder(s)))];

let dir: string;
const oldDb = process.env.MEMWALL_DB;
beforeAll(() => { dir = mkdtempSync(join(tmpdir(), 'memwall-readme-')); process.env.MEMWALL_DB = join(dir, 'readme.db'); });
afterAll(() => { if (oldDb === undefined) delete process.env.MEMWALL_DB; else process.env.MEMWALL_DB = oldDb; rmSync(dir, { recursive: true, force: true }); });

describe('README examples', () => {
  it('finds the examples it checks', () => {
    expect(cliExamples.length).toBeGreaterThan(15);
    expect(chatExamples.length).toBeGreaterThanOrEqual(8);
  });

  it('every `memwall …` command answers with exit 0', async () => {
    for (const ex of cliExamples) {
      const r = await runCli(words(ex).slice(1));
      expect(r.code, `${ex}\n${r.stderr}`).toBe(0);
    }
  }, 120_000);

  it('every chat example parses and answers (never an error)', async () => {
    for (const ex of chatExamples) {
      const parsed = parseSlash(ex);
      expect('error' in parsed ? parsed.error : '', ex).toBe('');
      if ('error' in parsed) continue;
      const reply = await runCommand(parsed.name, parsed.options, { catalog: catalog() });
      expect(reply.kind, `${ex}: ${reply.summary}`).toBe('answer');
    }
  }, 60_000);

  // the title lines only: the figures below them move as the model is refined
  it('the outputs shown start as the real outputs do', async () => {
    expect([...README.matchAll(/```\n\$ npx memwall /g)].length).toBeGreaterThanOrEqual(2);
    for (const m of README.matchAll(/```\n\$ (npx memwall [^\n]+)\n([^\n]+)\n([^\n]+)\n/g)) {
      const r = await runCli(words(m[1]).slice(2));
      expect(r.stdout.split('\n').slice(0, 2), m[1]).toEqual([m[2], m[3]]);
    }
  }, 60_000);
});
