// A signed slash command that no listener handles (the app's manifest lists a command this build does not have, or a
// command was renamed): answered at once in the HTTP response, privately, with the commands there are. Without this,
// Bolt waits 3 seconds for an ack that never comes and answers 404, and the person sees "dispatch_failed".
import type { App } from '@slack/bolt';
import { errorReply } from '../../reply/reply.ts';
import { toSlack } from '../../reply/slack.ts';

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Register after the real commands: matches every command except `/name` for the given names. */
export function answerUnknownCommands(app: App, names: readonly string[]): void {
  const known = new RegExp(`^/(?!(?:${names.map(escape).join('|')})$)`);
  app.command(known, async ({ command, ack }) => {
    const reply = errorReply(`I don't have a command called ${command.command}.`, `Commands: ${names.map((n) => `/${n}`).join(' ')}. Try /help.`);
    const [first] = toSlack(reply);
    await ack({ response_type: 'ephemeral', text: first.text, blocks: first.blocks });
  });
}
