// One scheduler tick in a process of its own, against a database file and the fake Discord REST API: how the
// restart and two-process tests run a second memwall. argv[2]: JSON { db, apiBase, now }. Prints the TickReport.
import { discordPoster } from '../../src/digest/posters.ts';
import { createScheduler } from '../../src/digest/scheduler.ts';
import { openStore } from '../../src/digest/store.ts';
import { answer } from '../../src/reply/reply.ts';

const args = JSON.parse(process.argv[2] ?? '{}') as { db: string; apiBase: string; now: string };
const store = openStore(args.db);
const scheduler = createScheduler({
  store,
  posters: { discord: discordPoster({ token: 'child-token', apiBase: args.apiBase }) },
  build: async (sub) => ({ reply: answer(`Digest for ${sub.channelId}`, `from process ${process.pid}`), snapshot: `pid-${process.pid}` }),
  now: () => new Date(args.now),
  log: (line) => process.stderr.write(`${line}\n`),
  paceMs: 0,
});
const report = await scheduler.tick();
await scheduler.stop();
store.close();
process.stdout.write(JSON.stringify(report));
