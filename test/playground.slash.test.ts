// parseSlash / completeSlash: typed slash commands → the options the commands take, and suggestions while typing.
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { Command } from '../commands/command.ts';
import { COMMANDS } from '../commands/index.ts';
import { catalog } from '../src/catalog/load.ts';
import { answer } from '../src/reply/reply.ts';
import { completeSlash, parseSlash, tokenize } from '../src/platforms/local/slash.ts';

const ctx = () => ({ catalog: catalog() });
const ok = (text: string) => {
  const r = parseSlash(text);
  if ('error' in r) throw new Error(`expected "${text}" to parse, got: ${r.error}`);
  return r;
};
const err = (text: string) => {
  const r = parseSlash(text);
  if (!('error' in r)) throw new Error(`expected "${text}" to be refused, got ${JSON.stringify(r)}`);
  return r.error;
};

describe('parseSlash', () => {
  it('fills positional values in the order of the command options, and named ones by key:value or key=value', () => {
    expect(ok('/fit llama-70b cerebras weights:fp8 context=32768')).toEqual({
      name: 'fit', options: { model: 'llama-70b', chip: 'cerebras', weights: 'fp8', context: '32768' },
    });
    expect(ok('/compare groq etched decode')).toEqual({ name: 'compare', options: { a: 'groq', b: 'etched', phase: 'decode' } });
    expect(ok('  /FIT   llama-70b\tcerebras  ')).toEqual({ name: 'fit', options: { model: 'llama-70b', chip: 'cerebras' } });
  });

  it('lets named options come first; positional values fill the options still free', () => {
    expect(ok('/fit chip:cerebras llama-70b')).toEqual({ name: 'fit', options: { chip: 'cerebras', model: 'llama-70b' } });
    expect(ok('/compare phase:prefill groq etched').options).toEqual({ phase: 'prefill', a: 'groq', b: 'etched' });
    expect(ok('/fit llama-70b cerebras Weights:FP8').options.weights).toBe('FP8');
  });

  it('keeps spaces inside quotes, straight or curly, also after a key', () => {
    expect(ok('/model "llama 3.1 70b"')).toEqual({ name: 'model', options: { name: 'llama 3.1 70b' } });
    expect(ok("/chip 'h100 sxm'").options).toEqual({ name: 'h100 sxm' });
    expect(ok('/model “llama 3.1 70b”').options).toEqual({ name: 'llama 3.1 70b' });
    expect(ok('/fit model:"llama 3.1 70b" chip="h100 sxm"').options).toEqual({ model: 'llama 3.1 70b', chip: 'h100 sxm' });
    expect(ok('/fit "weights:fp8" cerebras').options).toEqual({ model: 'weights:fp8', chip: 'cerebras' });
  });

  it('takes several words as one value when the command has only one option left', () => {
    expect(ok('/model llama 3.1 70b').options).toEqual({ name: 'llama 3.1 70b' });
  });

  it('names an unknown key:value option (it is not taken as a value) and suggests the closest one', () => {
    expect(err('/chip draft:llama:4')).toMatch(/`\/chip` has no option called `draft`/);
    expect(err('/estimate llama-70b h100 spec-decod:mtp:3:0.8')).toMatch(/Did you mean `spec-decode`/);
    expect(ok('/estimate llama-70b h100 spec-decode:mtp:3:0.8').options).toMatchObject({ 'spec-decode': 'mtp:3:0.8' });
  });

  it('answers mistakes politely, with a did-you-mean where one is close', () => {
    expect(err('')).toMatch(/Type a command/);
    expect(err('fit llama-70b cerebras')).toMatch(/start with a slash/);
    expect(err('/fitt llama-70b cerebras')).toMatch(/Did you mean `\/fit`/);
    expect(err('/nonsense')).toMatch(/don't have a command called `\/nonsense`/);
    expect(err('/fit')).toMatch(/needs the `model` option .* and the `chip` option .*\/fit <model> <chip> \[weights\]/);
    expect(err('/fit llama-70b')).toMatch(/needs the `chip` option/);
    expect(err('/fit llama-70b cerebras wieghts:fp8')).toMatch(/no option called `wieghts`. Did you mean `weights`/);
    expect(err('/fit llama-70b cerebras weights:fp8 weights:fp4')).toMatch(/`weights` is given twice/);
    expect(err('/compare groq etched decode llama-70b fastest extra')).toMatch(/Too many values.*`extra`/);
    expect(err('/model "llama 3.1')).toMatch(/quote .* not closed/);
    expect(err('/sources now')).toMatch(/takes no more values/);
    expect(err('/ fit')).toMatch(/command name after the slash/);
    expect(err('/' + 'x'.repeat(2100))).toMatch(/longer than a chat message/);
  });

  it('never throws, whatever is typed', () => {
    const samples = ['/', '//', '/"', "/fit '", '/fit ::', '/fit =x', '/fit a:b:c:d', '/fit ""', '/fit llama "" cerebras', '/\u0000', '/fit \u{1F600} x'];
    for (const s of samples) expect(() => parseSlash(s)).not.toThrow();
  });

  describe('a command with subcommands', () => {
    // a stand-in with its own name, so the real /digest does not shadow it
    const digest = {
      name: 'subs', description: 'A test command with subcommands', options: [], input: z.object({}).passthrough(),
      run: () => answer('digest', 'ok'),
      subcommands: [
        { name: 'subscribe', description: 'Post a digest here', options: [
          { name: 'schedule', description: 'daily or weekly', type: 'string', required: true, choices: [{ name: 'daily', value: 'daily' }, { name: 'weekly', value: 'weekly' }] },
          { name: 'timezone', description: 'IANA zone', type: 'string' },
        ] },
        { name: 'list', description: 'What this channel gets', options: [] },
        { name: 'unsubscribe', description: 'Stop', options: [{ name: 'id', description: 'Subscription', type: 'integer' }] },
      ],
    } as unknown as Command<any>;
    afterEach(() => { const i = COMMANDS.indexOf(digest); if (i >= 0) COMMANDS.splice(i, 1); });

    it('takes the first word as the subcommand and fills that subcommand’s options', () => {
      COMMANDS.push(digest);
      expect(ok('/subs subscribe weekly timezone:Europe/Paris')).toEqual({ name: 'subs', options: { subcommand: 'subscribe', schedule: 'weekly', timezone: 'Europe/Paris' } });
      expect(ok('/subs list')).toEqual({ name: 'subs', options: { subcommand: 'list' } });
      expect(ok('/subs unsubscribe 3').options).toEqual({ subcommand: 'unsubscribe', id: '3' });
      expect(err('/subs')).toMatch(/needs one of: `subscribe`, `list`, `unsubscribe`/);
      expect(err('/subs subscrib weekly')).toMatch(/Did you mean `subscribe`/);
      expect(err('/subs subscribe')).toMatch(/needs the `schedule` option.*\/subs subscribe <schedule> \[timezone\]/);
    });

    it('suggests subcommands, then the subcommand’s option values', () => {
      COMMANDS.push(digest);
      expect(completeSlash('/subs ', ctx()).map((s) => s.label)).toEqual(['subscribe', 'list', 'unsubscribe']);
      expect(completeSlash('/subs un', ctx()).map((s) => s.text)).toEqual(['/subs unsubscribe ']);
      expect(completeSlash('/subs subscribe w', ctx()).map((s) => s.text)).toEqual(['/subs subscribe weekly ']);
    });
  });
});

describe('tokenize', () => {
  it('records where each word is and whether it was key:value', () => {
    const { tokens } = tokenize('/fit model:"a b" c');
    expect(tokens.map((t) => [t.text, t.key, t.start, t.end])).toEqual([['/fit', undefined, 0, 4], ['a b', 'model', 5, 16], ['c', undefined, 17, 18]]);
    expect(tokenize('/model "llama 3').open).toBe('"');
  });
});

describe('completeSlash', () => {
  it('suggests command names while the first word is typed', () => {
    expect(completeSlash('/', ctx()).map((s) => s.label)).toEqual(COMMANDS.map((c) => `/${c.name}`));
    const f = completeSlash('/f', ctx());
    expect(f[0]).toMatchObject({ label: '/fit', text: '/fit ' });
    expect(f[0].detail).toBeTruthy();
    expect(completeSlash('fit', ctx())).toEqual([]);
  });

  it('suggests models for the option under the cursor, and replaces only the word being typed', () => {
    const s = completeSlash('/fit llama-3.1-7', ctx());
    expect(s.length).toBeGreaterThan(0);
    expect(s.length).toBeLessThanOrEqual(25);
    expect(s[0]).toMatchObject({ label: 'Llama 3.1 70B', text: '/fit llama-3.1-70b ' });
  });

  it('moves on to the next option once a value is followed by a space', () => {
    const s = completeSlash('/fit llama-70b ', ctx());
    expect(s.some((x) => x.text === '/fit llama-70b cerebras-wse-3 ' || /cerebras/i.test(x.text))).toBe(true);
    expect(s.every((x) => x.text.startsWith('/fit llama-70b '))).toBe(true);
    expect(completeSlash('/fit llama-70b cere', ctx())[0].label).toMatch(/Cerebras/);
  });

  it('suggests values of a named option, and option names for optional ones', () => {
    expect(completeSlash('/fit llama-70b cerebras weights:fp', ctx()).map((s) => s.text)).toContain('/fit llama-70b cerebras weights:fp8 ');
    expect(completeSlash('/fit llama-70b cerebras con', ctx()).map((s) => s.text)).toEqual(['/fit llama-70b cerebras context:']);
    expect(completeSlash('/compare groq etched ', ctx()).slice(0, 3).map((s) => s.label)).toEqual(['prefill', 'decode', 'both']);
  });

  it('quotes a suggested value that has spaces, and gives nothing for an unknown command', () => {
    expect(completeSlash('/nope x', ctx())).toEqual([]);
    for (const s of completeSlash('/model "llama 3', ctx())) expect(s.text).toMatch(/^\/model \S+ $/);
  });
});
