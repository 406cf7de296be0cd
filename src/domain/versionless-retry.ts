/**
 * Re-reads after a version conflict when the caller gave no version: full-jitter exponential
 * backoff (so racing writers spread out instead of colliding again in lockstep), for as long as
 * the deadline allows; then the caller gets the conflict.
 */
export const VERSIONLESS_RETRY = { deadlineMs: 5000, baseMs: 20, capMs: 1000 } as const;

/** Waits before re-read `attempt` (1, 2, ...); false, without waiting, when the wait would pass the deadline. */
export async function backOff(attempt: number, deadline: number): Promise<boolean> {
  const ceiling = Math.min(VERSIONLESS_RETRY.capMs, VERSIONLESS_RETRY.baseMs * 2 ** (attempt - 1));
  const wait = Math.random() * ceiling;
  if (Date.now() + wait >= deadline) return false;
  // The global timer (not node:timers/promises), so unit tests can run the clock.
  await new Promise((resolve) => setTimeout(resolve, wait));
  return true;
}
