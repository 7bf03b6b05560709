// The small slips a new user noticed (issue 10 bug 11), through the CLI as they typed it.
import { describe, expect, it } from 'vitest';
import { catalog } from '../src/catalog/load.ts';
import { runCli } from '../src/platforms/local/cli.ts';

const out = async (...argv: string[]) => {
  const r = await runCli(argv);
  expect(r.code, argv.join(' ')).toBe(0);
  return r.stdout;
};

describe('small slips', () => {
  it('a chip card\'s one-line answer is a sentence (no lowercase after a full stop)', async () => {
    for (const c of catalog().chips) {
      const line = (await out('chip', c.id)).split('\n')[2];
      expect(line, c.id).not.toMatch(/\. [a-z]/);
      expect(line, c.id).toMatch(/^[A-Z]/);
    }
  });

  it('a chip that cannot run a model is not named twice in a row', async () => {
    const compare = await out('compare', 'etched', 'taalas');
    expect(compare).not.toMatch(/Taalas HC1: Taalas HC1/);
    const disagg = await out('disagg', 'mamba-2.8b', 'b200', 'etched');
    expect(disagg).not.toMatch(/Etched Sohu\): Etched Sohu/);
    expect(disagg).not.toMatch(/\.\./);
  });

  it('FP4 on Cerebras says the chip publishes no FP4 compute', async () => {
    expect(await out('fit', 'llama-70b', 'cerebras', '--weights', 'fp4')).toMatch(/publishes no FP4 compute/);
    expect(await out('estimate', 'llama-70b', 'cerebras', '--weights', 'fp4')).toMatch(/publishes no FP4 compute/);
  });

  it('sources cite the primary source, never a file of the project\'s working notes', async () => {
    const texts = [
      ...await Promise.all(catalog().models.map((m) => out('model', m.id))),
      ...await Promise.all(catalog().chips.map((c) => out('chip', c.id))),
      await out('fit', 'llama-3.2-1b', 'h100'), await out('estimate', 'deepseek-v3', 'b200'),
    ];
    for (const t of texts) {
      expect(t).not.toMatch(/shared\/reference|\/work\//);
      expect(t).not.toMatch(/\bvia shared\b/);
    }
  });
});
