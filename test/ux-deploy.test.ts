// `npm run deploy-commands -- --dry-run` prints the JSON it would send, with no token and no network (issue 10).
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { discordCommandDefinitions } from '../src/platforms/discord/definitions.ts';

const ROOT = join(import.meta.dirname, '..');

const run = (args: string[], env: Record<string, string>) => new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
  const child = spawn(join(ROOT, 'node_modules', '.bin', 'tsx'), [join(ROOT, 'src/platforms/discord/deploy-commands.ts'), ...args], {
    cwd: mkdtempSync(join(tmpdir(), 'memwall-dry-')), env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
  });
  let stdout = '', stderr = '';
  child.stdout.on('data', (d) => { stdout += d; });
  child.stderr.on('data', (d) => { stderr += d; });
  child.on('close', (code) => resolve({ code, stdout, stderr }));
});

describe('deploy-commands --dry-run', () => {
  it('prints the definitions it would PUT, without a token, and exits 0', async () => {
    // an API base nothing listens on: a request would fail, so success proves none was made
    const r = await run(['--dry-run'], { DISCORD_API_BASE: 'http://127.0.0.1:9/api/v10' });
    expect(r.code).toBe(0);
    const body = JSON.parse(r.stdout);
    expect(body).toEqual(discordCommandDefinitions());
    const fit = body.find((d: { name: string }) => d.name === 'fit');
    expect(fit.options.map((o: { name: string }) => o.name)).toContain('kv');
    const estimate = body.find((d: { name: string }) => d.name === 'estimate');
    expect(estimate.options.map((o: { name: string }) => o.name)).toEqual(expect.arrayContaining(['kv', 'spec-decode']));
    expect(r.stderr).toMatch(/dry run: would PUT \d+ commands to .*\/applications\/<DISCORD_APPLICATION_ID>\/commands/);
  }, 30_000);
});
