import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { SessionEvents } from '../domain/session.service';

/** One registry per app instance, so several apps in one process (tests) do not collide. */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const requestDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request duration by method, route template and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const requests = new Counter({
    name: 'http_requests_total',
    help: 'HTTP requests by method, route template and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [registry],
  });
  const upstreamDuration = new Histogram({
    name: 'commercetools_request_duration_seconds',
    help: 'commercetools call duration by operation and outcome',
    labelNames: ['operation', 'outcome'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const sessionEvents = new Counter({
    name: 'sessions_events_total',
    help: 'Sessions minted, claimed and ended',
    labelNames: ['event'] as const,
    registers: [registry],
  });
  const collisions = new Counter({
    name: 'anonymous_id_collisions_total',
    help: 'anonymousIds found already taken, by where they were found',
    labelNames: ['source'] as const,
    registers: [registry],
  });
  const redisErrors = new Counter({
    name: 'redis_errors_total',
    help: 'Redis failures: connection errors and failed commands',
    labelNames: ['kind'] as const,
    registers: [registry],
  });
  const idempotentReplays = new Counter({
    name: 'idempotent_replays_total',
    help: 'Responses replayed for a repeated Idempotency-Key',
    registers: [registry],
  });
  const droppedConnections = new Counter({
    name: 'http_connections_dropped_total',
    help: 'Connections closed on accept because HTTP_MAX_CONNECTIONS were open',
    registers: [registry],
  });
  const events: SessionEvents = {
    minted: () => sessionEvents.inc({ event: 'minted' }),
    claimed: () => sessionEvents.inc({ event: 'claimed' }),
    ended: () => sessionEvents.inc({ event: 'ended' }),
    collision: (source) => collisions.inc({ source }),
  };
  return {
    registry,
    events,
    /**
     * Redis memory for an alert (docs/operations.md): used and maxmemory bytes, read from
     * `INFO memory` at scrape time. With maxmemory and noeviction Redis refuses writes when full,
     * so the alert must fire well before. A failed read leaves the gauges unset for that scrape.
     */
    watchRedisMemory(info: () => Promise<string>): void {
      let last: Promise<Record<string, number>> | undefined;
      // Both gauges are collected in one scrape: one INFO call serves them.
      const read = () =>
        (last ??= info()
          .then(parseInfo)
          .finally(() => setTimeout(() => (last = undefined), 0)));
      const gauge = (name: string, help: string, field: string) =>
        new Gauge({
          name,
          help,
          registers: [registry],
          async collect() {
            const value = (await read().catch(() => ({}) as Record<string, number>))[field];
            if (value !== undefined) this.set(value);
          },
        });
      gauge('redis_used_memory_bytes', 'Memory Redis uses (INFO memory used_memory)', 'used_memory');
      gauge('redis_maxmemory_bytes', 'Redis maxmemory; 0: no limit (INFO memory maxmemory)', 'maxmemory');
    },
    observeRequest(method: string, route: string, status: number, seconds: number): void {
      const labels = { method, route, status: String(status) };
      requests.inc(labels);
      requestDuration.observe(labels, seconds);
    },
    redisError(kind: 'connection' | 'command'): void {
      redisErrors.inc({ kind });
    },
    connectionDropped(): void {
      droppedConnections.inc();
    },
    idempotentReplay(): void {
      idempotentReplays.inc();
    },
    observeUpstream(operation: string, outcome: string, seconds: number): void {
      upstreamDuration.observe({ operation, outcome }, seconds);
    },
  };
}

export type Metrics = ReturnType<typeof createMetrics>;

/** The numeric fields of a Redis INFO section (`name:value` lines). */
function parseInfo(text: string): Record<string, number> {
  const fields: Record<string, number> = {};
  for (const line of text.split(/\r?\n/)) {
    const [name, value] = line.split(':');
    if (name && value !== undefined && /^\d+$/.test(value.trim())) fields[name] = Number(value);
  }
  return fields;
}
