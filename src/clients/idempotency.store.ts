import { createHash, randomUUID } from 'node:crypto';
import { storeCall, type RedisClient } from './redis.client';
import { type AttemptLog, type IdempotencyBegin, type IdempotencyStore, type StoredResponse } from '../domain/ports';

/** Returns what the key holds, or claims it as running and returns nothing: one atomic step. */
const BEGIN = `local v = redis.call('GET', KEYS[1])
if v then return v end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return false`;
const REPLACE_IF = `if redis.call('GET', KEYS[1]) == ARGV[1] then
  if ARGV[2] == '' then return redis.call('DEL', KEYS[1]) end
  redis.call('SET', KEYS[1], ARGV[2], 'EX', ARGV[3]) return 1 end return 0`;

interface Running {
  state: 'running';
  token: string;
  fingerprint: string;
}
interface Done extends StoredResponse {
  state: 'done';
}

/**
 * Idempotency records in Redis, one key per client and Idempotency-Key (the key is hashed, so
 * any 255 characters make a safe Redis key). A running record expires after `runningTtlMs`, so a
 * crashed instance does not block the key for the whole retention time.
 */
export class RedisIdempotencyStore implements IdempotencyStore, AttemptLog {
  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
    private readonly ttlSeconds: number,
    private readonly runningTtlMs = 60_000,
  ) {}

  private key(clientId: string, key: string): string {
    const hash = createHash('sha256').update(key).digest('hex');
    return `${this.prefix}{idem:${clientId}:${hash}}`;
  }

  private running(nonce: string, fingerprint: string): string {
    return JSON.stringify({ state: 'running', token: nonce, fingerprint } satisfies Running);
  }

  async begin(clientId: string, key: string, fingerprint: string): Promise<IdempotencyBegin> {
    // The token is the exact running record, so completing compares against what we wrote.
    const token = this.running(randomUUID(), fingerprint);
    const held = (await storeCall('idempotency store: begin', () =>
      this.redis.eval(BEGIN, 1, this.key(clientId, key), token, this.runningTtlMs),
    )) as string | null;
    if (!held) return { state: 'started', token };
    const record = JSON.parse(held) as Running | Done;
    if (record.state === 'running') return { state: 'running', fingerprint: record.fingerprint };
    const { state: _state, ...response } = record;
    return { state: 'done', response };
  }

  async complete(clientId: string, key: string, token: string, response: StoredResponse): Promise<void> {
    const done = JSON.stringify({ state: 'done', ...response } satisfies Done);
    await this.replace(clientId, key, token, done);
  }

  async abandon(clientId: string, key: string, token: string): Promise<void> {
    await this.replace(clientId, key, token, '');
  }

  /**
   * Next to the key's record (same hash tag), one per scope (hashed: it names a request and a
   * cart), kept for the same time, and not removed by abandon.
   */
  private attemptKey(clientId: string, key: string, scope: string): string {
    return `${this.key(clientId, key)}:attempt:${createHash('sha256').update(scope).digest('hex').slice(0, 32)}`;
  }

  async recall(clientId: string, key: string, scope: string): Promise<string | null> {
    return storeCall('idempotency store: recall', () => this.redis.get(this.attemptKey(clientId, key, scope)));
  }

  async note(clientId: string, key: string, scope: string, value: string): Promise<void> {
    await storeCall('idempotency store: note', () =>
      this.redis.set(this.attemptKey(clientId, key, scope), value, 'EX', this.ttlSeconds),
    );
  }

  private async replace(clientId: string, key: string, token: string, value: string): Promise<void> {
    await storeCall('idempotency store: write', () =>
      this.redis.eval(REPLACE_IF, 1, this.key(clientId, key), token, value, this.ttlSeconds),
    );
  }
}
