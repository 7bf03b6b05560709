// Replay protection for Discord HTTP interactions: an interaction id is accepted once while its timestamp is inside
// the ±5-minute window. After the window the timestamp check refuses the request anyway, so an id only needs
// remembering until then.
//
// One process: MemoryReplayGuard (bounded). Several instances behind a load balancer: sharedReplayGuard, which asks
// the shared store (one row per id, inserted only if absent) after the local cache, so each instance still turns
// away the repeats it has already seen without a round trip.

/** true the first time an id is seen before `expiresAtMs`; false for a repeat. May reject when its store fails. */
export interface ReplayGuard {
  firstSeen(id: string, expiresAtMs: number): Promise<boolean>;
}

export interface MemoryReplayGuardOptions {
  /** ids kept at most (default 100 000, about 10 MB); past it expired ids go first, then the oldest */
  maxEntries?: number;
  now?: () => number;
}

/**
 * Recent ids in a Map (insertion order = arrival order). Bounded: when full, expired ids are swept; if it is still full,
 * the oldest are dropped. Dropping an unexpired id could let a replay of it through, so the bound is set well above
 * what one instance receives in ten minutes.
 */
export class MemoryReplayGuard implements ReplayGuard {
  private readonly seen = new Map<string, number>();
  private readonly max: number;
  private readonly now: () => number;

  constructor(o: MemoryReplayGuardOptions = {}) {
    this.max = Math.max(1, o.maxEntries ?? 100_000);
    this.now = o.now ?? Date.now;
  }

  get size(): number { return this.seen.size; }

  async firstSeen(id: string, expiresAtMs: number): Promise<boolean> {
    return this.check(id, expiresAtMs);
  }

  /** The synchronous form (used by sharedReplayGuard before it asks the store). */
  check(id: string, expiresAtMs: number): boolean {
    const now = this.now();
    const until = this.seen.get(id);
    if (until !== undefined && until > now) return false;
    this.seen.delete(id);
    if (this.seen.size >= this.max) this.sweep(now);
    this.seen.set(id, expiresAtMs);
    return true;
  }

  /** Forget an id (the shared store could not say, so the next copy should be asked about again). */
  forget(id: string): void { this.seen.delete(id); }

  private sweep(now: number): void {
    for (const [id, until] of this.seen) if (until <= now) this.seen.delete(id);
    // still full of live ids: drop the oldest tenth at once, so a flood does not sweep on every request
    if (this.seen.size >= this.max) {
      let drop = Math.max(1, Math.ceil(this.max / 10));
      for (const id of this.seen.keys()) { if (drop-- <= 0) break; this.seen.delete(id); }
    }
  }
}

/** What the shared store provides: insert the id unless present; true when this call inserted it. */
export interface InteractionStore {
  markInteractionSeen(id: string, expiresAtMs: number): Promise<boolean> | boolean;
}

/**
 * Several instances: the local cache first (a repeat this instance saw is refused without asking the store), then
 * the store, which decides for all instances. A store failure propagates (the caller answers 503 and logs it):
 * accepting the request without the shared check could let a replay through on another instance.
 */
export function sharedReplayGuard(store: InteractionStore, local = new MemoryReplayGuard()): ReplayGuard {
  return {
    async firstSeen(id, expiresAtMs) {
      if (!local.check(id, expiresAtMs)) return false;
      try {
        return await store.markInteractionSeen(id, expiresAtMs);
      } catch (e) {
        local.forget(id);
        throw e;
      }
    },
  };
}
