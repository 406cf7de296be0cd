import { Cluster, Redis, type RedisOptions } from 'ioredis';
import type { RedisSettings } from '../config';
import { StoreError } from '../domain/ports';

/**
 * What the stores talk to: one Redis (also behind Sentinels) or a Redis Cluster. Every key the
 * service uses together with another (a session and its lock; a token and its lock) shares a hash
 * tag, so each command and script touches one slot and runs unchanged on a cluster.
 */
export type RedisClient = Redis | Cluster;

export interface ConnectOptions {
  commandTimeoutMs?: number;
  connectTimeoutMs?: number;
}

/** Deletes a lock only while it still holds our token, so an expired lock re-taken by another holder survives. */
export const COMPARE_AND_DELETE = `if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1]) end return 0`;

const backoff = (attempt: number) => Math.min(50 * 2 ** attempt, 2000);

/** User, password, TLS (and database, not on a cluster) of a redis:// or rediss:// URL, for cluster nodes and Sentinel masters. */
function credentialsOf(url: string | undefined, withDatabase = true): RedisOptions {
  if (!url) return {};
  const parsed = new URL(url);
  const db = Number(parsed.pathname.replace(/^\//, '') || 0);
  return {
    ...(parsed.username ? { username: decodeURIComponent(parsed.username) } : {}),
    ...(parsed.password ? { password: decodeURIComponent(parsed.password) } : {}),
    ...(parsed.protocol === 'rediss:' ? { tls: {} } : {}),
    ...(withDatabase && Number.isInteger(db) && db > 0 ? { db } : {}),
  };
}

function describe(target: string | RedisSettings): string {
  if (typeof target === 'string') return `Redis at ${redactUrl(target)}`;
  if (target.clusterNodes) return `Redis Cluster at ${target.clusterNodes.map((n) => `${n.host}:${n.port}`).join(',')}`;
  if (target.sentinels)
    return `Redis master "${target.sentinelName}" via Sentinels ${target.sentinels.map((n) => `${n.host}:${n.port}`).join(',')}`;
  return `Redis at ${redactUrl(target.url ?? '')}`;
}

/**
 * Connects to Redis and resolves once it answers: a URL (one server), or settings naming Redis
 * Cluster nodes (ioredis' Cluster client, which follows slot moves and fail-overs) or Sentinels
 * (ioredis asks them for the current master and follows fail-overs). Commands fail fast instead
 * of queueing while Redis is away (no offline queue, short command timeout), so callers get a
 * prompt 503 rather than a hanging request; ioredis keeps reconnecting in the background and
 * recovers by itself.
 */
export async function connectRedis(url: string, options?: ConnectOptions): Promise<Redis>;
export async function connectRedis(target: RedisSettings, options?: ConnectOptions): Promise<RedisClient>;
export async function connectRedis(target: string | RedisSettings, options: ConnectOptions = {}): Promise<RedisClient> {
  const common = {
    maxRetriesPerRequest: 1,
    commandTimeout: options.commandTimeoutMs ?? 2000,
    connectTimeout: options.connectTimeoutMs ?? 2000,
  };
  let redis: RedisClient;
  if (typeof target === 'string' || (!target.clusterNodes && !target.sentinels)) {
    const url = typeof target === 'string' ? target : (target.url ?? '');
    redis = new Redis(url, { ...common, lazyConnect: true, enableOfflineQueue: false, retryStrategy: backoff });
  } else if (target.clusterNodes) {
    redis = new Cluster(target.clusterNodes, {
      lazyConnect: true,
      // While the cluster is not ready (connecting, slots moving), commands fail at once; the
      // node connections themselves keep ioredis' queue, so the first command to a node waits
      // for that node's connection (bounded by the command timeout).
      enableOfflineQueue: false,
      clusterRetryStrategy: backoff,
      slotsRefreshTimeout: common.connectTimeout,
      redisOptions: { ...common, ...credentialsOf(target.url, false) },
    });
  } else {
    redis = new Redis({
      ...common,
      ...credentialsOf(target.url),
      sentinels: target.sentinels,
      name: target.sentinelName,
      ...(target.sentinelPassword ? { sentinelPassword: target.sentinelPassword } : {}),
      lazyConnect: true,
      enableOfflineQueue: false,
      retryStrategy: backoff,
      sentinelRetryStrategy: backoff,
    });
  }
  // Without a listener ioredis prints every failed reconnect; state is reported by /readyz instead.
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    await redis.ping();
  } catch (error) {
    redis.disconnect();
    throw new Error(`${describe(target)} is not reachable: ${(error as Error).message}`, { cause: error });
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
