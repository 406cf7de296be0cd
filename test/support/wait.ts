import { setTimeout as sleep } from 'node:timers/promises';

/** What a truthy result of a condition can be. */
export type Truthy<T> = Exclude<T, false | 0 | '' | null | undefined>;

export interface WaitOptions {
  /** How long to keep polling before failing the test (default 5 s). */
  timeoutMs?: number;
  /** Pause between two polls (default 25 ms). */
  intervalMs?: number;
  /** What is awaited, for the timeout's message. */
  what?: string;
}

/**
 * Polls `condition` until it returns a truthy value (which it returns), failing after `timeoutMs`.
 * Use it instead of a fixed sleep wherever the test waits until something happens (a breaker
 * closes, a server stops, a cache expires, a key propagates): fast when the machine is fast,
 * patient when it is loaded, and the failure names what never happened.
 */
export async function waitFor<T>(condition: () => T | Promise<T>, options: WaitOptions = {}): Promise<Truthy<T>> {
  const { timeoutMs = 5000, intervalMs = 25, what = 'the condition' } = options;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await condition();
    if (value) return value as Truthy<T>;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(intervalMs);
  }
}

/**
 * A bounded wait, for the two cases where no condition can be polled: letting a TTL pass, and
 * checking that something does NOT happen within a time. Say which in a comment at the call.
 */
export const elapse = (ms: number): Promise<void> => sleep(ms);
