import { randomUUID } from 'node:crypto';
import { COMPARE_AND_DELETE, storeCall, type RedisClient } from './redis.client';
import { type Reservation, type SessionRecord, type SessionStore } from '../domain/ports';

const RESERVED = 'reserved:';
/** A reservation outlives the two upstream checks (bounded by their timeout) with room to spare. */
const RESERVATION_TTL_MS = 60_000;
/** A hand-over's lock lapses this long after its holder stops renewing it (a crash, a lost Redis). */
const LOCK_TTL_MS = 30_000;
/** Renewed every third of its lifetime: two renewals may fail before it lapses. */
const LOCK_RENEW_MS = LOCK_TTL_MS / 3;
/** A crashed instance's count of a running cart create is forgotten after this. */
const CREATES_TTL_MS = 30_000;

/** Sets the value only while the key still holds our token: no overwrite of someone else's claim. */
const COMPARE_AND_SET = `if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[2], 'EX', ARGV[3]) return 1 end return 0`;
/** Extends a lock only while it still holds our token. */
const COMPARE_AND_PEXPIRE = `if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end return 0`;
/**
 * Overwrites the session (keeping its expiry) only while the hand-over lock (KEYS[1]) holds our
 * token: a holder whose lock lapsed cannot end a session another hand-over now holds.
 */
const SAVE_LOCKED = `if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[2], ARGV[2], 'KEEPTTL', 'XX') return 1`;
/**
 * Reads the session and the hand-over lock and, when the session exists, counts a cart create in:
 * one round trip, atomic with respect to a hand-over taking the lock.
 */
const ENTER_CREATE = `local session = redis.call('GET', KEYS[1])
if session and string.sub(session, 1, ${RESERVED.length}) ~= '${RESERVED}' then
  redis.call('INCR', KEYS[3]) redis.call('PEXPIRE', KEYS[3], ARGV[1]) end
return {session, redis.call('GET', KEYS[2])}`;
/** Counts a cart create out; a count that has expired meanwhile stays gone rather than going negative. */
const LEAVE_CREATE = `local n = tonumber(redis.call('GET', KEYS[1]) or '0')
if n > 1 then return redis.call('DECR', KEYS[1]) end
if n == 1 then redis.call('DEL', KEYS[1]) end return 0`;

/**
 * Sessions in Redis, one string key per anonymousId. The id sits in a hash tag, so a session and
 * its lock share a cluster slot and can be read with one MGET.
 */
export class RedisSessionStore implements SessionStore {
  /** Renewal timers of the locks this instance holds, by token. */
  private readonly renewals = new Map<string, NodeJS.Timeout>();

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

  private createsKey(id: string): string {
    return `${this.prefix}{${id}}:creates`;
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
    return toSession(value, lock);
  }

  async enterCreate(anonymousId: string): Promise<{ session: SessionRecord | null; busy: boolean }> {
    const [value, lock] = (await storeCall('session store: enter create', () =>
      this.redis.eval(
        ENTER_CREATE,
        3,
        this.sessionKey(anonymousId),
        this.lockKey(anonymousId),
        this.createsKey(anonymousId),
        CREATES_TTL_MS,
      ),
    )) as [string | null, string | null];
    return toSession(value, lock);
  }

  async leaveCreate(anonymousId: string): Promise<void> {
    await storeCall('session store: leave create', () =>
      this.redis.eval(LEAVE_CREATE, 1, this.createsKey(anonymousId)),
    );
  }

  async createsRunning(anonymousId: string): Promise<number> {
    return Number((await storeCall('session store: creates', () => this.redis.get(this.createsKey(anonymousId)))) ?? 0);
  }

  async save(session: SessionRecord): Promise<void> {
    await storeCall('session store: save', () =>
      this.redis.set(this.sessionKey(session.anonymousId), JSON.stringify(session), 'KEEPTTL', 'XX'),
    );
  }

  async lock(anonymousId: string): Promise<string | null> {
    const token = randomUUID();
    const ok = await storeCall('session store: lock', () =>
      this.redis.set(this.lockKey(anonymousId), token, 'PX', LOCK_TTL_MS, 'NX'),
    );
    if (ok !== 'OK') return null;
    // Renewed while held, so a hand-over slower than the lock's lifetime keeps it; a failed renewal
    // is retried at the next tick, and the fenced save (saveLocked) catches a lock that lapsed anyway.
    const timer = setInterval(() => {
      this.redis.eval(COMPARE_AND_PEXPIRE, 1, this.lockKey(anonymousId), token, LOCK_TTL_MS).then(
        (renewed) => renewed === 1 || this.stopRenewing(token),
        () => undefined,
      );
    }, LOCK_RENEW_MS);
    timer.unref();
    this.renewals.set(token, timer);
    return token;
  }

  async unlock(anonymousId: string, token: string): Promise<void> {
    this.stopRenewing(token);
    await storeCall('session store: unlock', () =>
      this.redis.eval(COMPARE_AND_DELETE, 1, this.lockKey(anonymousId), token),
    );
  }

  private stopRenewing(token: string): void {
    clearInterval(this.renewals.get(token));
    this.renewals.delete(token);
  }

  async saveLocked(session: SessionRecord, token: string): Promise<boolean> {
    const id = session.anonymousId;
    const saved = await storeCall('session store: save under lock', () =>
      this.redis.eval(SAVE_LOCKED, 2, this.lockKey(id), this.sessionKey(id), token, JSON.stringify(session)),
    );
    return saved === 1;
  }

  async ping(): Promise<void> {
    await storeCall('session store: ping', () => this.redis.ping());
  }
}

/** A reservation still being checked upstream is not a session yet. */
function toSession(
  value: string | null | undefined,
  lock: string | null | undefined,
): { session: SessionRecord | null; busy: boolean } {
  const session = value && !value.startsWith(RESERVED) ? (JSON.parse(value) as SessionRecord) : null;
  return { session, busy: lock !== null && lock !== undefined };
}
