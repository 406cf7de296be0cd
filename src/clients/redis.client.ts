import { Redis } from 'ioredis';

export type RedisClient = Redis;

/**
 * Connects to Redis and resolves once it answers. Commands fail fast instead of queueing while
 * Redis is away (no offline queue, short command timeout), so callers get a prompt 503 rather
 * than a hanging request; ioredis keeps reconnecting in the background and recovers by itself.
 */
export async function connectRedis(url: string, options: { commandTimeoutMs?: number; connectTimeoutMs?: number } = {}): Promise<Redis> {
  const redis = new Redis(url, {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: options.commandTimeoutMs ?? 2000,
    connectTimeout: options.connectTimeoutMs ?? 2000,
    retryStrategy: (attempt) => Math.min(50 * 2 ** attempt, 2000),
  });
  // Without a listener ioredis prints every failed reconnect; state is reported by /readyz instead.
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    await redis.ping();
  } catch (error) {
    redis.disconnect();
    throw new Error(`Redis at ${redactUrl(url)} is not reachable: ${(error as Error).message}`, { cause: error });
  }
  return redis;
}

/** Strips credentials from a Redis URL for messages. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'redis://<unparseable>';
  }
}
