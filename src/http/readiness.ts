import { performance } from 'node:perf_hooks';
import { z } from 'zod';

const CheckState = z.enum(['ok', 'failing']);
export type CheckState = z.infer<typeof CheckState>;

/** What /readyz answers (200 when every check is ok, 503 otherwise). */
export const Readiness = z
  .object({
    status: z.enum(['ready', 'not ready']),
    checks: z.object({ redis: CheckState, commercetools: CheckState }),
  })
  .meta({ id: 'Readiness', description: 'Result of the last checks; reused for a couple of seconds.' });

export interface ReadinessReport {
  ready: boolean;
  checks: Record<string, CheckState>;
}

/** Long enough that frequent probes from several load balancers cost one check, short enough to notice an outage. */
export const READINESS_CACHE_MS = 2000;

/**
 * Runs the named checks together and answers their combined result, at most once per `cacheMs`
 * (failures included, so a failing dependency is not probed harder); probes arriving while a
 * check runs share it.
 */
export function cachedReadiness(
  checks: Record<string, () => Promise<unknown>>,
  cacheMs: number,
): () => Promise<ReadinessReport> {
  let cached: { report: ReadinessReport; at: number } | undefined;
  let running: Promise<ReadinessReport> | undefined;

  const check = async (): Promise<ReadinessReport> => {
    const names = Object.keys(checks);
    const results = await Promise.allSettled(names.map((name) => checks[name]!()));
    const states = Object.fromEntries(
      names.map((name, i) => [name, results[i]?.status === 'fulfilled' ? 'ok' : 'failing']),
    ) as Record<string, CheckState>;
    return { ready: Object.values(states).every((state) => state === 'ok'), checks: states };
  };

  return () => {
    if (cached && performance.now() - cached.at < cacheMs) return Promise.resolve(cached.report);
    running ??= check()
      .then((report) => {
        cached = { report, at: performance.now() };
        return report;
      })
      .finally(() => {
        running = undefined;
      });
    return running;
  };
}
