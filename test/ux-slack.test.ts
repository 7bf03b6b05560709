// Slack's habit (issue 10): one namespaced command, `/memwall fit …`, over signed HTTP on 127.0.0.1 against a fake
// Web API; multi-word names and plain-words option errors through the Slack parser; the manifest offers the bare
// commands only when asked.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMMANDS } from '../commands/index.ts';
import { slackManifest } from '../src/platforms/slack/manifest.ts';
import { postSigned, slashBody, startSlackHarness, type FakeSlack, type Recorded, type SlackHarness } from './helpers/slack-fake.ts';

const SECRET = 'test-signing-secret-ux-0123456789';
let harness: SlackHarness, fake: FakeSlack, eventsUrl: string;
const silent = { debug() {}, info() {}, warn() {}, error() {}, setLevel() {}, getLevel: () => 'error' as any, setName() {} };

beforeAll(async () => {
  harness = await startSlackHarness({ secret: SECRET, botToken: 'xoxb-ux-test', logger: silent });
  ({ fake, eventsUrl } = harness);
}, 30_000);

afterAll(async () => {
  await harness?.close();
});

async function slash(command: string, text: string): Promise<Recorded> {
  const responseUrl = fake.responseUrl();
  const http = await postSigned(eventsUrl, SECRET, slashBody(command, text, responseUrl));
  expect(http.status).toBe(200);
  const got = await fake.waitFor(() => { const r = fake.responses(responseUrl); return r.length >= 1 && r; }, `${command} ${text}`);
  return got[0];
}
const text = (r: Recorded) => JSON.stringify(r.json?.blocks ?? []);

describe('/memwall <command>', () => {
  it('/memwall fit llama 3.1 70b h100 sxm fp8 answers in the channel, on the H100 SXM in FP8', async () => {
    const r = await slash('/memwall', 'fit llama 3.1 70b h100 sxm fp8');
    expect(r.json.response_type).toBe('in_channel');
    expect(text(r)).toContain('Llama 3.1 70B on NVIDIA H100 SXM');
    expect(text(r)).toMatch(/at FP8/);
  });

  it('/memwall alone and /memwall help list the commands as /memwall …', async () => {
    for (const t of ['', 'help']) {
      const r = await slash('/memwall', t);
      expect(text(r)).toContain('memwall — AI inference hardware');
      expect(text(r)).toContain('/memwall fit llama-70b cerebras');
    }
  });

  it('a mistyped command or a missing option is answered privately in plain words, in /memwall syntax', async () => {
    const a = await slash('/memwall', 'fitt llama-70b cerebras');
    expect(a.json.response_type).toBe('ephemeral');
    expect(text(a)).toContain('Did you mean `/memwall fit`?');
    const b = await slash('/memwall', 'fit llama-70b');
    expect(b.json.response_type).toBe('ephemeral');
    expect(text(b)).toMatch(/needs the `chip` option \(chip or vendor/);
    expect(text(b)).toContain('/memwall fit llama-70b cerebras');
    expect(text(b)).not.toMatch(/Invalid input|expected string/);
  });

  it('the bare commands still answer where the manifest adds them', async () => {
    const r = await slash('/fit', 'llama-70b h100 sxm');
    expect(text(r)).toContain('Llama 3.1 70B on NVIDIA H100 SXM');
  });
});

describe('the manifest', () => {
  it('has /memwall only by default, and the bare commands with bareCommands', () => {
    const m = slackManifest({ url: 'https://bot.example.com' }) as any;
    expect(m.features.slash_commands.map((s: any) => s.command)).toEqual(['/memwall']);
    expect(m.features.slash_commands[0].usage_hint).toMatch(/^fit\|compare\|/);
    const all = slackManifest({ url: 'https://bot.example.com', bareCommands: true }) as any;
    expect(all.features.slash_commands.map((s: any) => s.command)).toEqual(['/memwall', ...COMMANDS.map((c) => `/${c.name}`)]);
  });
});
