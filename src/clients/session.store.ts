import { randomUUID } from 'node:crypto';
import { Cluster } from 'ioredis';
import { COMPARE_AND_DELETE, storeCall, type RedisClient } from './redis.client';
import {
  type IndexedSession,
  type Reservation,
  type SessionIndex,
  type SessionIndexQuery,
  type SessionRecord,
  type SessionStore,
} from '../domain/ports';

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
 * Ends the session only while the hand-over lock (KEYS[2]) still holds our token (ARGV[3]): fenced,
 * -1 otherwise. Writes the ended session over the current record, keeping what the current one has
 * and the ended one lacks (hasOrders set by an order meanwhile). With orders it is kept (ARGV[2] ms, or for
 * good with 0); without, it keeps its expiry and lapses on the same clock as its carts.
 */
const END = `if redis.call('GET', KEYS[2]) ~= ARGV[3] then return -1 end
local v = redis.call('GET', KEYS[1])
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
 * its lock share a cluster slot and can be read with one MGET. Each client's sessions are also
 * indexed in one sorted set per client (`{client:<clientId>}:sessions`, member anonymousId, score
 * createdAt in ms): listings read it, never a key scan.
 */
export class RedisSessionStore implements SessionStore, SessionIndex {
  /** Renewal timers of the locks this instance holds, by token. */
  private readonly renewals = new Map<string, NodeJS.Timeout>();

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

  /** One key per client, in a slot of its own: every index command touches this key only. */
  private indexKey(clientId: string): string {
    return `${this.prefix}{client:${clientId}}:sessions`;
  }

  /** Sessions expire ttl after activation, which follows createdAt within a reservation's life. */
  private get longestLifeMs(): number {
    return this.ttlSeconds * 1000 + RESERVATION_TTL_MS;
  }

  async reserve(anonymousId: string): Promise<Reservation | null> {
    const token = randomUUID();
    const ok = await storeCall('session store: reserve', () =>
      this.redis.set(this.sessionKey(anonymousId), RESERVED + token, 'PX', RESERVATION_TTL_MS, 'NX'),
    );
    return ok === 'OK' ? { anonymousId, token } : null;
  }

  async activate(reservation: Reservation, session: SessionRecord): Promise<boolean> {
    // Indexed first, so every session is in its client's index; an entry whose session never came
    // to be is removed below, or else by the listing that meets its key missing. Both are sent at
    // once: on one connection Redis runs them in the order sent, so the index still comes first and
    // a lost connection fails both, at the cost of one round trip instead of two.
    const [, set] = await Promise.all([
      this.addToIndex(session),
      storeCall('session store: activate', () =>
        this.redis.eval(
          COMPARE_AND_SET,
          1,
          this.sessionKey(reservation.anonymousId),
          RESERVED + reservation.token,
          JSON.stringify(session),
          this.ttlSeconds,
        ),
      ),
    ]);
    if (set !== 1) {
      await storeCall('session store: unindex', () =>
        this.redis.zrem(this.indexKey(session.clientId), session.anonymousId),
      ).catch(() => undefined);
    }
    return set === 1;
  }

  /** Adds the session to its client's index, drops entries past any session's life, and keeps the key as long. */
  private async addToIndex(session: SessionRecord): Promise<void> {
    const key = this.indexKey(session.clientId);
    const created = Date.parse(session.createdAt);
    await storeCall('session store: index', () =>
      this.redis
        .multi()
        .zadd(key, created, session.anonymousId)
        .zremrangebyscore(key, '-inf', `(${Date.now() - this.longestLifeMs}`)
        .pexpire(key, this.longestLifeMs)
        .exec(),
    );
  }

  /**
   * A page of a client's sessions, newest first, after `after` (the last entry of the previous
   * page). Entries are read from the index in batches; sessions are fetched by key (one MGET, or
   * one GET each on a cluster, where the keys live in other slots). Entries whose session has
   * expired are removed from the index as they are met.
   */
  async listByClient(clientId: string, query: SessionIndexQuery): Promise<IndexedSession[]> {
    const key = this.indexKey(clientId);
    const found: IndexedSession[] = [];
    let after = query.after;
    const batch = Math.min(Math.max(query.limit, 20), 1000);
    while (found.length < query.limit) {
      const entries = await this.indexEntries(key, query, after, batch);
      if (entries.length === 0) break;
      const values = await this.readSessions(entries.map((entry) => entry.anonymousId));
      const gone: string[] = [];
      for (const [index, entry] of entries.entries()) {
        const value = values[index];
        if (value === null || value === undefined) gone.push(entry.anonymousId);
        // A reservation is not a session yet: neither listed nor removed.
        if (!value || value.startsWith(RESERVED)) continue;
        const session = JSON.parse(value) as SessionRecord;
        if (session.clientId === clientId && (!query.status || session.status === query.status)) {
          found.push({ session, score: entry.score });
        }
      }
      if (gone.length > 0) {
        await storeCall('session store: prune index', () => this.redis.zrem(key, ...gone));
      }
      const last = entries[entries.length - 1]!;
      after = { score: last.score, anonymousId: last.anonymousId };
      if (entries.length < batch) break;
    }
    return found.slice(0, query.limit);
  }

  /**
   * Up to `count` index entries below `after` (newest first, ties by member descending, as
   * ZREVRANGEBYSCORE orders them) and at least `from`. Ties at the cursor's score are read whole
   * (sessions created in the same millisecond) and those at or above its member skipped.
   */
  private async indexEntries(
    key: string,
    query: SessionIndexQuery,
    after: SessionIndexQuery['after'],
    count: number,
  ): Promise<{ anonymousId: string; score: number }[]> {
    // A cursor above the range's upper end (a page of a wider listing) starts at that end.
    if (after && query.to !== undefined && after.score > query.to) after = undefined;
    if (after && query.from !== undefined && after.score < query.from) return [];
    const min = query.from ?? '-inf';
    const max = after ? after.score : (query.to ?? '+inf');
    const pairs = (flat: string[]) => {
      const out: { anonymousId: string; score: number }[] = [];
      for (let i = 0; i + 1 < flat.length; i += 2) out.push({ anonymousId: flat[i]!, score: Number(flat[i + 1]) });
      return out;
    };
    if (!after) {
      const flat = await storeCall('session store: list index', () =>
        this.redis.zrevrangebyscore(key, max, min, 'WITHSCORES', 'LIMIT', 0, count),
      );
      return pairs(flat);
    }
    const [ties, rest] = await storeCall('session store: list index', () =>
      Promise.all([
        this.redis.zrevrangebyscore(key, after.score, after.score, 'WITHSCORES'),
        this.redis.zrevrangebyscore(key, `(${after.score}`, min, 'WITHSCORES', 'LIMIT', 0, count),
      ]),
    );
    const below = pairs(ties).filter((entry) => entry.anonymousId < after.anonymousId);
    return [...below, ...pairs(rest)].slice(0, count);
  }

  /** The raw values of the session keys, in order; the keys live in different slots. */
  private readSessions(ids: string[]): Promise<(string | null)[]> {
    const keys = ids.map((id) => this.sessionKey(id));
    return storeCall('session store: read many', () =>
      this.redis instanceof Cluster ? Promise.all(keys.map((key) => this.redis.get(key))) : this.redis.mget(...keys),
    );
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

  async end(session: SessionRecord, lockToken: string): Promise<boolean> {
    const ended = await storeCall('session store: end', () =>
      this.redis.eval(
        END,
        2,
        this.sessionKey(session.anonymousId),
        this.lockKey(session.anonymousId),
        JSON.stringify(session),
        this.endedTtlSeconds * 1000,
        lockToken,
      ),
    );
    // -1: the lock is no longer ours. 0 (the session has gone meanwhile) leaves nothing to fence.
    return ended !== -1;
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
    if (ok !== 'OK') return null;
    // Renewed while held, so a hand-over slower than the lock's lifetime keeps it; a failed renewal
    // is retried at the next tick, and the fenced end (`end` under the lock token) catches a lock that lapsed anyway.
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
