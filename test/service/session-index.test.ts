import { Cluster } from 'ioredis';
import { RedisSessionStore } from '../../src/clients/session.store';
import type { SessionRecord } from '../../src/domain/ports';
import { startRedisCluster, type PrivateRedisCluster } from '../../sandbox/redis-cluster';
import { bearer, createTestContext, KEYS, uniqueName, type TestContext } from '../support/harness';

type Listed = { anonymousId: string; createdAt: string; status: string };

/** Every session of the key's client through GET /v1/sessions, page by page. */
async function listAll(ctx: TestContext, key: string, limit: number): Promise<{ ids: string[]; pages: Listed[][] }> {
  const pages: Listed[][] = [];
  let cursor: string | undefined;
  do {
    const page = await ctx.http
      .get('/v1/sessions')
      .query({ limit, ...(cursor ? { cursor } : {}) })
      .set(bearer(key))
      .expect(200);
    pages.push(page.body.results);
    cursor = page.body.nextCursor;
  } while (cursor);
  return { ids: pages.flat().map((s) => s.anonymousId), pages };
}

/** Mints sessions over HTTP, `parallel` at a time. */
async function mintOverHttp(ctx: TestContext, key: string, count: number, parallel = 25): Promise<string[]> {
  const ids: string[] = [];
  for (let done = 0; done < count; done += parallel) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(parallel, count - done) }, () =>
        ctx.http.post('/v1/sessions').set(bearer(key)).send({}).expect(201),
      ),
    );
    ids.push(...batch.map((response) => response.body.anonymousId as string));
  }
  return ids;
}

function storeOf(ctx: TestContext): RedisSessionStore {
  return new RedisSessionStore(ctx.redis, ctx.redisPrefix, ctx.config.sessionTtlSeconds);
}

/** Writes a session through the store as the service does (reserve, then activate). */
async function writeSession(store: RedisSessionStore, clientId: string, createdAtMs: number): Promise<string> {
  const anonymousId = uniqueName('direct');
  const reservation = await store.reserve(anonymousId);
  const session: SessionRecord = {
    anonymousId,
    clientId,
    status: 'active',
    createdAt: new Date(createdAtMs).toISOString(),
  };
  if (!reservation || !(await store.activate(reservation, session))) throw new Error('could not write a session');
  return anonymousId;
}

const indexKey = (ctx: TestContext, clientId: string) => `${ctx.redisPrefix}{client:${clientId}}:sessions`;

describe('the per-client session index', () => {
  describe('under 10,000 sessions', () => {
    const HTTP_MINTED = 300;
    const TOTAL = 10_000;
    let ctx: TestContext;
    let minted: string[];
    let written: string[];
    let listing: { ids: string[]; pages: Listed[][] };
    /** createdAt (ms) of the newest session written through the store. */
    let base: number;
    beforeAll(async () => {
      ctx = await createTestContext();
      minted = await mintOverHttp(ctx, KEYS.b, HTTP_MINTED);
      // The rest straight through the store, older than the minted ones, three per millisecond
      // (ties in the index's score), in parallel batches.
      const store = storeOf(ctx);
      base = Date.now() - 60_000;
      written = [];
      for (let i = 0; i < TOTAL - HTTP_MINTED; i += 500) {
        const batch = Array.from({ length: Math.min(500, TOTAL - HTTP_MINTED - i) }, (_, j) =>
          writeSession(store, 'client-b', base - Math.floor((i + j) / 3)),
        );
        written.push(...(await Promise.all(batch)));
      }
      listing = await listAll(ctx, KEYS.backofficeB, 500);
    }, 180_000);
    afterAll(() => ctx.close());

    test('when every page is read with limit 500, then each session is listed exactly once', () => {
      expect(listing.ids).toHaveLength(TOTAL);
      expect(new Set(listing.ids).size).toBe(TOTAL);
      expect(new Set(listing.ids)).toEqual(new Set([...minted, ...written]));
      expect(listing.pages.map((page) => page.length)).toEqual(Array.from({ length: TOTAL / 500 }, () => 500));
    });

    test('when the pages are read in order, then the sessions come newest first', () => {
      const created = listing.pages.flat().map((s) => Date.parse(s.createdAt));
      const outOfOrder = created.filter((at, i) => i > 0 && at > created[i - 1]!);
      expect(outOfOrder).toEqual([]);
    });

    test('when a listed session is read by id, then it is the session the listing shows', async () => {
      const sample = [listing.pages[0]![0]!, listing.pages[7]![123]!, listing.pages[19]![499]!];
      for (const listed of sample) {
        const read = await ctx.http.get(`/v1/sessions/${listed.anonymousId}`).set(bearer(KEYS.b)).expect(200);
        expect(read.body).toEqual(listed);
      }
    });

    test('when the listing is filtered by a creation range, then it holds exactly the sessions created in it', async () => {
      const from = new Date(base - 1000).toISOString();
      const to = new Date(base - 500).toISOString();
      const expected = listing.pages
        .flat()
        .filter((s) => s.createdAt >= from && s.createdAt <= to)
        .map((s) => s.anonymousId);

      const pages: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await ctx.http
          .get('/v1/sessions')
          .query({ createdFrom: from, createdTo: to, limit: 100, ...(cursor ? { cursor } : {}) })
          .set(bearer(KEYS.backofficeB))
          .expect(200);
        pages.push(...page.body.results.map((s: Listed) => s.anonymousId));
        cursor = page.body.nextCursor;
      } while (cursor);

      expect(expected.length).toBeGreaterThan(100);
      expect(pages).toEqual(expected);
    });
  });

  describe('pruning', () => {
    let ctx: TestContext;
    beforeAll(async () => {
      ctx = await createTestContext();
    });
    afterAll(() => ctx.close());

    test('when a session key has expired, then the listing leaves it out and removes its index entry', async () => {
      const [gone, kept] = await mintOverHttp(ctx, KEYS.a, 2);
      await ctx.redis.del(`${ctx.redisPrefix}{${gone}}:session`);

      const { ids } = await listAll(ctx, KEYS.backofficeA, 50);

      expect(ids).toContain(kept);
      expect(ids).not.toContain(gone);
      expect(await ctx.redis.zscore(indexKey(ctx, 'client-a'), gone!)).toBeNull();
    });

    test('when an entry is older than the longest session life, then indexing the next session removes it', async () => {
      const key = indexKey(ctx, 'client-a');
      const lifeMs = ctx.config.sessionTtlSeconds * 1000;
      await ctx.redis.zadd(key, Date.now() - lifeMs - 120_000, 'ancient');

      await mintOverHttp(ctx, KEYS.a, 1);

      expect(await ctx.redis.zscore(key, 'ancient')).toBeNull();
    });

    test('when a session is indexed, then the index key expires no earlier than its sessions', async () => {
      await mintOverHttp(ctx, KEYS.a, 1);

      const ttlMs = await ctx.redis.pttl(indexKey(ctx, 'client-a'));

      expect(ttlMs).toBeGreaterThan(ctx.config.sessionTtlSeconds * 1000);
    });

    test('when an activation finds its reservation lost, then the session is not left in the index', async () => {
      const store = storeOf(ctx);
      const anonymousId = uniqueName('lost');
      const reservation = await store.reserve(anonymousId);
      await ctx.redis.del(`${ctx.redisPrefix}{${anonymousId}}:session`);

      const activated = await store.activate(reservation!, {
        anonymousId,
        clientId: 'client-a',
        status: 'active',
        createdAt: new Date().toISOString(),
      });

      expect(activated).toBe(false);
      expect(await ctx.redis.zscore(indexKey(ctx, 'client-a'), anonymousId)).toBeNull();
    });
  });

  describe('on a Redis Cluster', () => {
    let cluster: PrivateRedisCluster;
    let ctx: TestContext;
    beforeAll(async () => {
      cluster = await startRedisCluster({ masters: 3 });
      ctx = await createTestContext({ redisClusterNodes: cluster.nodes });
    }, 60_000);
    afterAll(async () => {
      await ctx?.close();
      await cluster?.stop();
    });

    test('when sessions spread over the masters are listed page by page, then each is listed once, newest first', async () => {
      const minted = await mintOverHttp(ctx, KEYS.a, 40, 10);
      expect(ctx.redis).toBeInstanceOf(Cluster);

      const { ids, pages } = await listAll(ctx, KEYS.backofficeA, 7);

      expect(new Set(ids)).toEqual(new Set(minted));
      expect(ids).toHaveLength(40);
      const created = pages.flat().map((s) => s.createdAt);
      expect(created).toEqual([...created].sort().reverse());
    });
  });
});
