import { randomUUID } from 'node:crypto';
import { COMPARE_AND_DELETE, storeCall, type RedisClient } from './redis.client';
import { type Reservation, type SessionRecord, type SessionStore } from '../domain/ports';

const RESERVED = 'reserved:';
/** A reservation outlives the two upstream checks (bounded by their timeout) with room to spare. */
const RESERVATION_TTL_MS = 60_000;
const LOCK_TTL_MS = 30_000;

/** Sets the value only while the key still holds our token: no overwrite of someone else's claim. */
const COMPARE_AND_SET = `if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[2], 'EX', ARGV[3]) return 1 end return 0`;
/**
 * Sessions in Redis, one string key per anonymousId. The id sits in a hash tag, so a session and
 * its lock share a cluster slot and can be read with one MGET.
 */
export class RedisSessionStore implements SessionStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
    readonly ttlSeconds: number,
  ) {}

  private sessionKey(id: string): string {
    return `${this.prefix}{${id}}:session`;
  }

  private lockKey(id: string): string {
    return `${this.prefix}{${id}}:lock`;
  }

  async reserve(anonymousId: string): Promise<Reservation | null> {
    const token = randomUUID();
    const ok = await storeCall('session store: reserve', () =>
      this.redis.set(this.sessionKey(anonymousId), RESERVED + token, 'PX', RESERVATION_TTL_MS, 'NX'),
    );
    return ok === 'OK' ? { anonymousId, token } : null;
  }

  async activate(reservation: Reservation, session: SessionRecord): Promise<boolean> {
    const set = await storeCall('session store: activate', () =>
      this.redis.eval(
        COMPARE_AND_SET,
        1,
        this.sessionKey(reservation.anonymousId),
        RESERVED + reservation.token,
        JSON.stringify(session),
        this.ttlSeconds,
      ),
    );
    return set === 1;
  }

  async release(reservation: Reservation): Promise<void> {
    await storeCall('session store: release', () =>
      this.redis.eval(COMPARE_AND_DELETE, 1, this.sessionKey(reservation.anonymousId), RESERVED + reservation.token),
    );
  }

  async get(anonymousId: string): Promise<{ session: SessionRecord | null; busy: boolean }> {
    const [value, lock] = await storeCall('session store: read', () =>
      this.redis.mget(this.sessionKey(anonymousId), this.lockKey(anonymousId)),
    );
    // A reservation still being checked upstream is not a session yet.
    const session = value && !value.startsWith(RESERVED) ? (JSON.parse(value) as SessionRecord) : null;
    return { session, busy: lock !== null && lock !== undefined };
  }

  async save(session: SessionRecord): Promise<void> {
    await storeCall('session store: save', () =>
      this.redis.set(this.sessionKey(session.anonymousId), JSON.stringify(session), 'KEEPTTL', 'XX'),
    );
  }

  async lock(anonymousId: string): Promise<string | null> {
    const token = randomUUID();
    const ok = await storeCall('session store: lock', () => this.redis.set(this.lockKey(anonymousId), token, 'PX', LOCK_TTL_MS, 'NX'));
    return ok === 'OK' ? token : null;
  }

  async unlock(anonymousId: string, token: string): Promise<void> {
    await storeCall('session store: unlock', () => this.redis.eval(COMPARE_AND_DELETE, 1, this.lockKey(anonymousId), token));
  }

  async ping(): Promise<void> {
    await storeCall('session store: ping', () => this.redis.ping());
  }
}
