import { randomUUID } from 'node:crypto';
import { COMPARE_AND_DELETE, storeCall, type RedisClient } from './redis.client';
import { type Reservation, type SessionRecord, type SessionStore } from '../domain/ports';

const RESERVED = 'reserved:';
/** A reservation outlives the two upstream checks (bounded by their timeout) with room to spare. */
const RESERVATION_TTL_MS = 60_000;
const LOCK_TTL_MS = 30_000;
/** A crashed instance's count of a running cart create is forgotten after this. */
const CREATES_TTL_MS = 30_000;

/** Sets the value only while the key still holds our token: no overwrite of someone else's claim. */
const COMPARE_AND_SET = `if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[2], 'EX', ARGV[3]) return 1 end return 0`;
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
 * Slides an active session's lifetime: the record's expiresAt and the key's expiry, atomically.
 * A session kept for its orders keeps its retention (none, or ARGV[3] ms past the change); an
 * ended or lapsed session, or another client's (ARGV[5]), is answered unchanged (its carts are read-only: nothing extends it).
 */
const EXTEND = `local v = redis.call('GET', KEYS[1])
if not v or string.sub(v, 1, ${RESERVED.length}) == '${RESERVED}' then return false end
local s = cjson.decode(v)
if s.clientId ~= ARGV[5] or s.status ~= 'active' or (s.expiresAt and s.expiresAt <= ARGV[4]) then return v end
s.expiresAt = ARGV[1]
local out = cjson.encode(s)
if not s.hasOrders then redis.call('SET', KEYS[1], out, 'PX', ARGV[2])
elseif ARGV[3] == '0' then redis.call('SET', KEYS[1], out)
else redis.call('SET', KEYS[1], out, 'PX', tonumber(ARGV[2]) + tonumber(ARGV[3])) end
return out`;
/** Marks that the session placed an order and keeps its record: for good (ARGV[2] 0) or that long past its lifetime. */
const MARK_HAS_ORDERS = `local v = redis.call('GET', KEYS[1])
if not v or string.sub(v, 1, ${RESERVED.length}) == '${RESERVED}' then return 0 end
local s = cjson.decode(v)
s.hasOrders = true
if ARGV[2] == '0' then redis.call('SET', KEYS[1], cjson.encode(s))
else redis.call('SET', KEYS[1], cjson.encode(s), 'PX', tonumber(ARGV[1]) + tonumber(ARGV[2])) end
return 1`;
/**
 * Writes the ended session over the current record, keeping what the current one has and the
 * ended one lacks (hasOrders set by an order meanwhile). With orders it is kept (ARGV[2] ms, or for
 * good with 0); without, it keeps its expiry and lapses on the same clock as its carts.
 */
const END = `local v = redis.call('GET', KEYS[1])
if not v or string.sub(v, 1, ${RESERVED.length}) == '${RESERVED}' then return 0 end
local s = cjson.decode(v)
for k, x in pairs(cjson.decode(ARGV[1])) do s[k] = x end
local out = cjson.encode(s)
if not s.hasOrders then redis.call('SET', KEYS[1], out, 'KEEPTTL')
elseif ARGV[2] == '0' then redis.call('SET', KEYS[1], out)
else redis.call('SET', KEYS[1], out, 'PX', ARGV[2]) end
return 1`;
/** Prunes a client's lapsed sessions from the quota set, then counts the rest. */
const COUNT_ACTIVE = `redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
return redis.call('ZCARD', KEYS[1])`;

/**
 * Sessions in Redis, one string key per anonymousId. The id sits in a hash tag, so a session and
 * its lock share a cluster slot and can be read with one MGET.
 */
export class RedisSessionStore implements SessionStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
    readonly ttlSeconds: number,
    readonly endedTtlSeconds = 0,
  ) {}

  /** A client's active sessions by lapse time (ms), for the quota; another slot than the sessions. */
  private activeKey(clientId: string): string {
    return `${this.prefix}{client:${clientId}}:active`;
  }

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

  async extend(anonymousId: string, clientId: string, expiresAt: string): Promise<SessionRecord | null> {
    const value = (await storeCall('session store: extend', () =>
      this.redis.eval(
        EXTEND,
        1,
        this.sessionKey(anonymousId),
        expiresAt,
        this.ttlSeconds * 1000,
        this.endedTtlSeconds * 1000,
        new Date().toISOString(),
        clientId,
      ),
    )) as string | null;
    return toSession(value, null).session;
  }

  async markHasOrders(anonymousId: string): Promise<void> {
    await storeCall('session store: mark orders', () =>
      this.redis.eval(
        MARK_HAS_ORDERS,
        1,
        this.sessionKey(anonymousId),
        this.ttlSeconds * 1000,
        this.endedTtlSeconds * 1000,
      ),
    );
  }

  async end(session: SessionRecord): Promise<void> {
    await storeCall('session store: end', () =>
      this.redis.eval(
        END,
        1,
        this.sessionKey(session.anonymousId),
        JSON.stringify(session),
        this.endedTtlSeconds * 1000,
      ),
    );
  }

  async countActive(clientId: string): Promise<number> {
    return Number(
      await storeCall('session store: count active', () =>
        this.redis.eval(COUNT_ACTIVE, 1, this.activeKey(clientId), Date.now()),
      ),
    );
  }

  async trackActive(clientId: string, anonymousId: string, expiresAt: string): Promise<void> {
    await storeCall('session store: track active', () =>
      this.redis.zadd(this.activeKey(clientId), Date.parse(expiresAt), anonymousId),
    );
  }

  async untrackActive(clientId: string, anonymousId: string): Promise<void> {
    await storeCall('session store: untrack active', () => this.redis.zrem(this.activeKey(clientId), anonymousId));
  }

  async lock(anonymousId: string): Promise<string | null> {
    const token = randomUUID();
    const ok = await storeCall('session store: lock', () =>
      this.redis.set(this.lockKey(anonymousId), token, 'PX', LOCK_TTL_MS, 'NX'),
    );
    return ok === 'OK' ? token : null;
  }

  async unlock(anonymousId: string, token: string): Promise<void> {
    await storeCall('session store: unlock', () =>
      this.redis.eval(COMPARE_AND_DELETE, 1, this.lockKey(anonymousId), token),
    );
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
