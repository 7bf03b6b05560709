// A memwall digest scheduler in a process of its own, against a database (SQLite file or postgres:// URL) and the
// loopback fakes of Discord REST and the Slack Web API, on an injected clock: how the restart, crash and
// multi-instance tests run other memwalls. argv[2]: JSON ChildArgs.
//
// - one-shot (default): one tick at `now`, then print the TickReport and exit.
// - crash points: `crashAfter: 'claim'` stops dead right after a slot is claimed, `'post'` right after the platform
//   accepted the post and before it is recorded; the child prints "CRASHPOINT …" and hangs until the test kills it.
// - serve: read "tick <iso>" lines on stdin, answer each with "REPORT <json>"; "exit" stops the scheduler cleanly.
import { createInterface } from 'node:readline';
import { discordPoster, slackPoster } from '../../src/digest/posters.ts';
import { createScheduler } from '../../src/digest/scheduler.ts';
import { openStore, type Store } from '../../src/digest/store.ts';
import { answer } from '../../src/reply/reply.ts';

export interface ChildArgs {
  db: string;
  apiBase: string;
  slackApiUrl?: string;
  now: string;
  crashAfter?: 'claim' | 'post';
  serve?: boolean;
  leaseMs?: number;
  instanceId?: string;
  batch?: number;
}

const args = JSON.parse(process.argv[2] ?? '{}') as ChildArgs;
let clock = new Date(args.now);
const real = await openStore(args.db, { now: () => clock });
const hang = (what: string) => { process.stdout.write(`CRASHPOINT ${what}\n`); return new Promise<never>(() => undefined); };
// the crash points wrap the real store: the claim (or the post) really happened, then the process stops dead
const store: Store = new Proxy(real, {
  get(target, prop, receiver) {
    const v = Reflect.get(target, prop, receiver);
    if (prop === 'claimSlot' && args.crashAfter === 'claim') {
      return async (...a: Parameters<Store['claimSlot']>) => { const r = await target.claimSlot(...a); if (r.ok) await hang(`claimed ${a[0]} ${a[1]}`); return r; };
    }
    if (prop === 'markPosted' && args.crashAfter === 'post') {
      return async (...a: Parameters<Store['markPosted']>) => hang(`posted ${a[0]} ${a[1]}`);
    }
    return typeof v === 'function' ? v.bind(target) : v;
  },
});

const scheduler = createScheduler({
  store,
  posters: {
    discord: discordPoster({ token: 'child-token', apiBase: args.apiBase }),
    ...(args.slackApiUrl ? { slack: slackPoster({ token: 'xoxb-test', apiUrl: args.slackApiUrl, log: (l) => process.stderr.write(`${l}\n`) }) } : {}),
  },
  build: async (sub) => ({ reply: answer(`Digest for ${sub.channelId}`, `from process ${process.pid}`), snapshot: `pid-${process.pid}` }),
  now: () => clock,
  log: (line) => process.stderr.write(`${line}\n`),
  paceMs: 0,
  instanceId: args.instanceId ?? `child-${process.pid}`,
  ...(args.leaseMs ? { leaseMs: args.leaseMs } : {}),
  ...(args.batch ? { batch: args.batch } : {}),
});

if (args.serve) {
  process.stdout.write('READY\n');
  for await (const line of createInterface({ input: process.stdin })) {
    const [cmd, at] = line.trim().split(' ');
    if (cmd === 'tick') {
      clock = new Date(at);
      const report = await scheduler.tick();
      process.stdout.write(`REPORT ${JSON.stringify(report)}\n`);
    } else if (cmd === 'exit') {
      break;
    }
  }
  await scheduler.stop();
  await real.close();
  process.exit(0);
} else {
  const report = await scheduler.tick();
  await scheduler.stop();
  await real.close();
  process.stdout.write(JSON.stringify(report));
}
