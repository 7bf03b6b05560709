// Every slash command, defined once for Discord, Slack, the playground and the CLI.
import type { Command } from './command.ts';
import { chipCommand } from './chip.ts';
import { digestCommand } from './digest.ts';
import { disaggCommand } from './disagg.ts';
import { helpCommand } from './help.ts';
import { landscapeCommand } from './landscape.ts';
import { compareCommand } from './compare.ts';
import { estimateCommand } from './estimate.ts';
import { explainCommand } from './explain.ts';
import { fitCommand } from './fit.ts';
import { frontierCommand } from './frontier.ts';
import { modelCommand } from './model.ts';
import { planCommand } from './plan.ts';
import { sourcesCommand } from './sources.ts';

export const COMMANDS: Command<any>[] = [fitCommand, compareCommand, estimateCommand, disaggCommand, frontierCommand, planCommand, landscapeCommand, chipCommand, modelCommand, explainCommand, sourcesCommand, digestCommand];
COMMANDS.push(helpCommand(() => COMMANDS));

export function findCommand(name: string): Command<any> | undefined {
  return COMMANDS.find((c) => c.name === name.replace(/^\//, '').toLowerCase());
}
