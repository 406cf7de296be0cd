import { setTimeout as sleep } from 'node:timers/promises';
import { v4 as uuidv4 } from 'uuid';
import type { Caller } from './api-keys';
import { DomainError } from './errors';
import { StoreError, type CommerceGateway, type Reservation, type SessionStore } from './ports';
import type { SessionRecord, SessionView } from './session.model';

export type { SessionView } from './session.model';

/** Counters the service reports (metrics); all optional. */
export interface SessionEvents {
  minted?(): void;
  claimed?(): void;
  ended?(): void;
  collision?(source: 'store' | 'commercetools'): void;
}

/** A generated UUID v4 colliding even once is astronomically unlikely; more means something is wrong. */
const MAX_MINT_ATTEMPTS = 5;
/** How long an instance trusts a session's owner without asking Redis again (cart and order reads). */
export const OWNER_CACHE_MS = 30_000;
const MAX_CACHED_OWNERS = 10_000;
/** How long a hand-over waits for running cart creates (each is bounded by the upstream timeout). */
const CREATES_WAIT_MS = 10_000;
const CREATES_POLL_MS = 20;

export function canAccess(caller: Caller, owner: Pick<SessionRecord, 'clientId'>): boolean {
  return owner.clientId === caller.clientId || caller.scopes.has('admin');
}

/** Another client's session is indistinguishable from a missing one. */
function sessionNotFound(anonymousId: string): DomainError {
  return new DomainError('SessionNotFound', `No session '${anonymousId}'.`);
}

/**
 * Thrown by a hand-over's work when commercetools shows that the session was already handed over
 * (an earlier hand-over took effect although its answer was lost): the session is ended all the
 * same, with the customer it went to where known, and the caller learns that it has ended.
 */
export class AlreadyHandedOver extends Error {
  /** Unknown when nothing of the session shows whom it went to. */
  constructor(readonly customerId?: string) {
    super('The session was already handed over to a customer.');
    this.name = 'AlreadyHandedOver';
  }
}

/** Default quota of active sessions per client (SESSION_QUOTA_PER_CLIENT). */
export const DEFAULT_SESSION_QUOTA = 1_000_000;

/**
 * When the session stopped being active: handed over (endedAt), or lapsed (its sliding lifetime
 * ran out while its record is kept for its orders); undefined while it is active.
 */
export function endOf(session: SessionRecord, now: Date = new Date()): string | undefined {
  if (session.status === 'ended') return session.endedAt ?? session.createdAt;
  if (session.expiresAt && Date.parse(session.expiresAt) <= now.getTime()) return session.expiresAt;
  return undefined;
}

export function isActive(session: SessionRecord, now: Date = new Date()): boolean {
  return endOf(session, now) === undefined;
}

/** A lapsed session shows as ended, at its lapse time. */
export function toView(session: SessionRecord, now: Date = new Date()): SessionView {
  const { anonymousId, createdAt, customerId, storeKey } = session;
  const endedAt = endOf(session, now);
  return {
    anonymousId,
    status: endedAt ? 'ended' : 'active',
    createdAt,
    ...(endedAt ? { endedAt } : {}),
    ...(customerId ? { customerId } : {}),
    ...(storeKey ? { storeKey } : {}),
  };
}

export class SessionService {
  /**
   * anonymousId -> the session as last read, and until when it may be reused. The owner never
   * changes; an active session may end meanwhile, so decisions that depend on its status ask
   * fresh (writes, and reads of carts and orders that carry a customerId: handed over).
   */
  private readonly owners = new Map<string, { session: SessionRecord; until: number }>();
  private readonly quotaPerClient: number;

  constructor(
    private readonly store: SessionStore,
    private readonly commerce: CommerceGateway,
    private readonly events: SessionEvents = {},
    private readonly now: () => Date = () => new Date(),
    options: { quotaPerClient?: number } = {},
  ) {
    this.quotaPerClient = options.quotaPerClient ?? DEFAULT_SESSION_QUOTA;
  }

  /**
   * Mints a fresh anonymousId, or claims the caller's. The Redis reservation (SET NX) and the two
   * commercetools checks run at once; the id is handed out only when all three say it is free.
   */
  async start(caller: Caller, requestedId?: string): Promise<SessionView> {
    // Counted while the first attempt runs (one round trip less): lapsed sessions are pruned first;
    // concurrent starts may overshoot by their number (not atomic). Over quota, the claim is undone.
    const overQuota = this.store.countActive(caller.clientId).then((count) => count >= this.quotaPerClient);
    overQuota.catch(() => undefined);
    for (let attempt = 1; attempt <= MAX_MINT_ATTEMPTS; attempt++) {
      const anonymousId = requestedId ?? uuidv4();
      const session = await this.tryClaim(caller, anonymousId, overQuota);
      if (session) {
        if (requestedId) this.events.claimed?.();
        else this.events.minted?.();
        return toView(session);
      }
      if (requestedId) throw new DomainError('AnonymousIdInUse', `The anonymousId '${anonymousId}' is already in use.`);
    }
    throw new DomainError('InternalError', 'Could not mint an unused anonymousId.');
  }

  private async tryClaim(
    caller: Caller,
    anonymousId: string,
    overQuota: Promise<boolean>,
  ): Promise<SessionRecord | null> {
    const [reserved, inUse, quota] = await Promise.allSettled([
      this.store.reserve(anonymousId),
      this.commerce.anonymousIdInUse(anonymousId),
      overQuota,
    ]);
    const reservation: Reservation | null = reserved.status === 'fulfilled' ? reserved.value : null;
    try {
      if (quota.status === 'rejected') throw quota.reason;
      if (quota.value) {
        throw new DomainError(
          'SessionQuotaExceeded',
          `Client '${caller.clientId}' has ${this.quotaPerClient} active sessions; end or let some expire first.`,
          // Frees only as sessions end or lapse: not within a second.
          { retryAfterSeconds: 60 },
        );
      }
      if (reserved.status === 'rejected') throw reserved.reason;
      // A failed upstream check never yields a usable id: the reservation is released below.
      if (inUse.status === 'rejected') throw inUse.reason;
      if (!reservation) {
        this.events.collision?.('store');
        return null;
      }
      if (inUse.value) {
        this.events.collision?.('commercetools');
        await this.store.release(reservation);
        return null;
      }
      const session: SessionRecord = {
        anonymousId,
        clientId: caller.clientId,
        status: 'active',
        createdAt: this.now().toISOString(),
        expiresAt: this.expiryFromNow(),
        ...(caller.storeKey ? { storeKey: caller.storeKey } : {}),
      };
      // Sent together (one round trip); counted for the quota only if the activation holds.
      const [activated, tracked] = await Promise.allSettled([
        this.store.activate(reservation, session),
        this.store.trackActive(caller.clientId, anonymousId, session.expiresAt!),
      ]);
      // Not activated: the reservation expired meanwhile and someone else may hold the id now.
      if (activated.status === 'rejected' || !activated.value)
        await this.store.untrackActive(caller.clientId, anonymousId).catch(() => undefined);
      if (activated.status === 'rejected') throw activated.reason;
      if (tracked.status === 'rejected') throw tracked.reason;
      return activated.value ? session : null;
    } catch (error) {
      if (reservation) await this.store.release(reservation).catch(() => undefined);
      throw error;
    }
  }

  /** The caller's session; another client's is indistinguishable from a missing one. */
  async get(caller: Caller, anonymousId: string): Promise<SessionRecord> {
    return (await this.read(caller, anonymousId)).session;
  }

  /**
   * Passes when the caller may read this session's carts and orders: it is theirs (ended ones
   * too) or the caller is admin. A session's owner never changes while the session exists, so a
   * positive answer is reused for OWNER_CACHE_MS, never past the session's own expiry; that
   * spares the cart and order reads (the hottest path) a Redis round trip. Unknown ids are
   * never cached, so a session minted on another instance is visible at once.
   */
  async assertReadable(caller: Caller, anonymousId: string, options: { fresh?: boolean } = {}): Promise<SessionRecord> {
    const now = this.now().getTime();
    const known = options.fresh ? undefined : this.owners.get(anonymousId);
    if (known && known.until > now) {
      if (canAccess(caller, known.session)) return known.session;
      throw sessionNotFound(anonymousId);
    }
    const session = await this.get(caller, anonymousId);
    this.remember(session);
    return session;
  }

  /**
   * Remembers a session for the owner cache, never past the record's own expiry: the expiresAt
   * (or createdAt + lifetime) is set before the store sets the key's expiry, so it is never late.
   * A record kept for its orders outlives its lifetime.
   */
  private remember(session: SessionRecord): void {
    const now = this.now().getTime();
    const lapses = session.expiresAt
      ? Date.parse(session.expiresAt)
      : Date.parse(session.createdAt) + this.store.ttlSeconds * 1000;
    const kept = session.hasOrders && this.store.endedTtlSeconds === 0 ? Infinity : lapses;
    if (this.owners.size >= MAX_CACHED_OWNERS) this.owners.delete(this.owners.keys().next().value!);
    this.owners.set(session.anonymousId, { session, until: Math.min(now + OWNER_CACHE_MS, kept) });
  }

  private expiryFromNow(): string {
    return new Date(this.now().getTime() + this.store.ttlSeconds * 1000).toISOString();
  }

  /**
   * Before a change to one of the session's carts: the session as it is now (never cached), its
   * lifetime extended when it is the caller's and active; another client's is SessionNotFound.
   */
  async touch(caller: Caller, anonymousId: string): Promise<SessionRecord> {
    const expiresAt = this.expiryFromNow();
    const session = await this.store.extend(anonymousId, caller.clientId, expiresAt);
    if (!session || !canAccess(caller, session)) throw sessionNotFound(anonymousId);
    if (session.clientId === caller.clientId && isActive(session, this.now())) {
      await this.store.trackActive(session.clientId, anonymousId, session.expiresAt ?? expiresAt);
    }
    return session;
  }

  /** An order was placed through the session: its record is kept as long as its orders are to be readable. */
  async orderedThrough(anonymousId: string): Promise<void> {
    await this.store.markHasOrders(anonymousId);
    this.owners.delete(anonymousId);
  }

  /** The caller's session with whether a hand-over is running on it. */
  async read(caller: Caller, anonymousId: string): Promise<{ session: SessionRecord; busy: boolean }> {
    const { session, busy } = await this.store.get(anonymousId);
    if (!session || !canAccess(caller, session)) throw sessionNotFound(anonymousId);
    return { session, busy };
  }

  /**
   * Runs a cart create on the caller's active session, counted in Redis while it runs. A create
   * that starts during a hand-over is refused, and a hand-over waits for the creates that started
   * before it, so every cart of the session is there when commercetools hands them over.
   */
  async creatingOn<T>(caller: Caller, anonymousId: string, create: () => Promise<T>): Promise<T> {
    const { session, busy } = await this.store.enterCreate(anonymousId);
    // Counted in only when the session exists.
    if (!session) throw sessionNotFound(anonymousId);
    try {
      if (!canAccess(caller, session)) throw sessionNotFound(anonymousId);
      assertActive(session, this.now());
      if (busy) throw new DomainError('SessionBusy', 'A sign-in or sign-up is running on this session; retry shortly.');
      return await create();
    } finally {
      await this.store.leaveCreate(anonymousId).catch(() => undefined);
    }
  }

  /**
   * Runs a hand-over (sign-in/sign-up) under the session's lock, so two hand-overs, or a hand-over
   * and a new cart, cannot interleave; ends the session with the customerId on success. The lock
   * lasts as long as the hand-over (the store renews it), and the session is ended only while the
   * lock is still ours (fenced), so a retry after a client timeout never runs beside the first try.
   */
  async handOver<T extends { customer: { id: string }; cart?: { id: string } }>(
    caller: Caller,
    anonymousId: string,
    run: (session: SessionRecord) => Promise<T>,
  ): Promise<T> {
    assertActive(await this.get(caller, anonymousId), this.now());
    const token = await this.store.lock(anonymousId);
    if (!token) throw new DomainError('SessionBusy', 'A sign-in or sign-up is already running on this session.');
    try {
      // Re-read under the lock: a hand-over that just finished has ended the session.
      const session = await this.get(caller, anonymousId);
      assertActive(session, this.now());
      await this.untilCreatesDone(anonymousId);
      let result: T;
      try {
        result = await run(session);
      } catch (error) {
        if (!(error instanceof AlreadyHandedOver)) throw error;
        await this.end(session, error.customerId, token);
        throw sessionEnded(anonymousId);
      }
      await this.end(session, result.customer.id, token, result.cart?.id);
      return result;
    } finally {
      await this.store.unlock(anonymousId, token).catch(() => undefined);
    }
  }

  /** Waits, under the hand-over lock, for the cart creates that started before it took the lock. */
  private async untilCreatesDone(anonymousId: string): Promise<void> {
    const deadline = this.now().getTime() + CREATES_WAIT_MS;
    while ((await this.store.createsRunning(anonymousId)) > 0) {
      if (this.now().getTime() >= deadline)
        throw new DomainError('SessionBusy', 'Carts are being created on this session; retry shortly.');
      await sleep(CREATES_POLL_MS);
    }
  }

  /**
   * Ends the session under the hand-over lock (fenced: only while the lock is still ours) and records
   * the handed-over cart: from now on only the grant reaches it.
   */
  private async end(
    session: SessionRecord,
    customerId: string | undefined,
    lockToken: string,
    handedOverCartId?: string,
  ): Promise<void> {
    const ended: SessionRecord = {
      ...session,
      status: 'ended',
      endedAt: this.now().toISOString(),
      ...(customerId ? { customerId } : {}),
      ...(handedOverCartId ? { handedOverCartId } : {}),
    };
    // The lock lapsed (Redis unreachable for longer than its lifetime): another hand-over may hold
    // the session now, so this one ends nothing. The hand-over happened upstream; a retry finds it.
    if (!(await this.store.end(ended, lockToken))) {
      throw new StoreError('session store: the hand-over lock lapsed before the session was ended');
    }
    this.remember(ended);
    await this.store.untrackActive(session.clientId, session.anonymousId).catch(() => undefined);
    this.events.ended?.();
  }
}

export function sessionEnded(anonymousId: string): DomainError {
  return new DomainError(
    'SessionEnded',
    `Session '${anonymousId}' has ended (signed in or signed up); start a new session.`,
  );
}

export function assertActive(session: SessionRecord, now: Date = new Date()): void {
  if (!isActive(session, now)) throw sessionEnded(session.anonymousId);
}
