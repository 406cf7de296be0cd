import { digestSecret, type ApiKeyTable, type Caller } from './api-keys';

export interface ApiKeyLookup {
  find(digest: string): Promise<Caller | null>;
}

/** How long an instance trusts its last answer about a key: revocations take effect within this. */
export const KEY_CACHE_MS = 2000;
/** How long "no such key" is trusted: a key created in Redis works everywhere within this. */
export const UNKNOWN_KEY_CACHE_MS = 2000;

export interface ApiKeyCacheLimits {
  /** Keys found in Redis kept in memory (least recently used evicted first). */
  known: number;
  /** Unknown keys remembered; apart from the known ones, so guessing cannot push real keys out. */
  unknown: number;
}

const DEFAULT_LIMITS: ApiKeyCacheLimits = { known: 10_000, unknown: 10_000 };

/** A bounded map whose least recently used entry goes first when it is full (Map keeps insertion order). */
class LruCache<V> {
  private readonly entries = new Map<string, { value: V; until: number }>();

  constructor(private readonly capacity: number) {}

  get(key: string, now: number): V | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    this.entries.delete(key);
    if (entry.until <= now) return undefined;
    this.entries.set(key, entry); // now the most recently used
    return entry.value;
  }

  set(key: string, value: V, until: number): void {
    this.entries.delete(key);
    if (this.entries.size >= this.capacity) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
    this.entries.set(key, { value, until });
  }

  delete(key: string): void {
    this.entries.delete(key);
  }
}

/**
 * Resolves a presented secret to its caller: first the keys from API_KEYS, then those managed in
 * Redis. Only digests are compared and cached, never secrets. Unknown keys are remembered briefly
 * and concurrent lookups of one key share one Redis call, so guessing does not turn into Redis
 * load; both caches are bounded and evict one entry at a time, so a flood never empties them.
 */
export class ApiKeyResolver {
  private readonly known: LruCache<Caller>;
  private readonly unknown: LruCache<true>;
  private readonly pending = new Map<string, Promise<Caller | null>>();

  constructor(
    private readonly configured: ApiKeyTable,
    private readonly managed?: ApiKeyLookup,
    private readonly now: () => number = Date.now,
    limits: ApiKeyCacheLimits = DEFAULT_LIMITS,
  ) {
    this.known = new LruCache(limits.known);
    this.unknown = new LruCache(limits.unknown);
  }

  async resolve(secret: string): Promise<Caller | null> {
    const digest = digestSecret(secret);
    const fixed = this.configured.get(digest);
    if (fixed || !this.managed) return fixed ?? null;
    const now = this.now();
    const cached = this.known.get(digest, now);
    if (cached) return cached;
    if (this.unknown.get(digest, now)) return null;
    let lookup = this.pending.get(digest);
    if (!lookup) {
      lookup = this.lookUp(this.managed, digest).finally(() => this.pending.delete(digest));
      this.pending.set(digest, lookup);
    }
    return lookup;
  }

  private async lookUp(managed: ApiKeyLookup, digest: string): Promise<Caller | null> {
    const caller = await managed.find(digest);
    const now = this.now();
    if (caller) {
      this.unknown.delete(digest);
      this.known.set(digest, caller, now + KEY_CACHE_MS);
    } else {
      this.known.delete(digest);
      this.unknown.set(digest, true, now + UNKNOWN_KEY_CACHE_MS);
    }
    return caller;
  }
}
