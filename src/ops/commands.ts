// Every command answered on any platform passes through dispatch.ts, which reports it here: a counter by command and
// outcome, a latency histogram, and (when a logger is attached) one log line with the command and its latency.
import { commandSeconds, commandsTotal } from './metrics.ts';

export interface CommandEvent { command: string; outcome: 'answer' | 'error' | 'failed'; ms: number; platform?: string }

let listener: ((e: CommandEvent) => void) | null = null;

/** Attach one listener (main attaches the logger); null detaches it. */
export function onCommand(fn: ((e: CommandEvent) => void) | null): void {
  listener = fn;
}

export function commandDone(e: CommandEvent): void {
  try {
    commandsTotal.inc({ command: e.command, outcome: e.outcome });
    commandSeconds.observe({ command: e.command }, e.ms / 1000);
    listener?.(e);
  } catch {
    // observing never breaks answering
  }
}
