import { Redis } from 'ioredis';
import { StoreError } from '../domain/ports';

export type RedisClient = Redis;

/** Deletes a lock only while it still holds our token, so an expired lock re-taken by another holder survives. */
export const COMPARE_AND_DELETE = `if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1]) end return 0`;

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

/** Runs a Redis command, reporting any failure as the store being unavailable (503 upstream of it). */
export async function storeCall<T>(what: string, command: () => Promise<T>): Promise<T> {
  try {
    return await command();
  } catch (error) {
    throw new StoreError(`${what} failed`, error);
  }
}
