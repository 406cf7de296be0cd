import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Redis } from 'ioredis';
import { freePort } from '../sandbox/free-port';
import { startRedisServer, type PrivateRedis } from '../sandbox/redis-server';
import {
  measure,
  spawnNode,
  startFlags,
  stopAll,
  stopWithAll,
  waitFor,
  type Child,
  type Load,
  type Measured,
} from './lib';
import { summariseProfiles } from './profile-summary';
import { BENCH_AID_PREFIX } from './stub';

/**
 * `npm run bench`: the stub, a private Redis, the passthrough floor and the service (built with
 * `npm run build`, a process of its own with production settings: LOG_LEVEL info to a file,
 * NODE_ENV=production, RATE_LIMIT_PER_MINUTE=0), all driven by autocannon with the same settings,
 * in one run. Writes bench/results.json and the table in bench/RESULTS.md.
 *
 * `npm run bench -- --profile` also records CPU profiles of the service and the passthrough
 * (`--cpu-prof`, in bench/profiles/) and prints their heaviest functions.
 *
 * Env: BENCH_CONNECTIONS (32), BENCH_DURATION_S (8), BENCH_ROUNDS (3, alternated passthrough and
 * service_carts runs), BENCH_SKIP_BUILD=1 (reuse dist/).
 */

const ROOT = resolve(__dirname, '..');
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 8);
const WARMUP_S = 3;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const LATENCY_S = 5;
const OVERLAP_DELAY_MS = 20;
const PROFILE = process.argv.includes('--profile');
const PROFILE_DIR = join(ROOT, 'bench', 'profiles');

const PROJECT_KEY = 'bench';
const PREFIX = 'bench:';
const API_KEY = 'bench-secret-0123456789abcdef';
const CLIENT_ID = 'bench-pos';
const AUTH = { Authorization: `Bearer ${API_KEY}` };
const JSON_POST = { ...AUTH, 'Content-Type': 'application/json' };
/** The session whose carts are listed: the stub answers its query with a cart of two line items. */
const CART_SESSION = `${BENCH_AID_PREFIX}carts-0`;

const log = (line: string) => process.stdout.write(`${line}\n`);

/** The query the service sends for a session's carts (the ts-client's encoding), for direct and passthrough. */
function cartsQuery(anonymousId: string): string {
  const query = new URLSearchParams({
    where: 'anonymousId = :aid',
    'var.aid': anonymousId,
    sort: 'lastModifiedAt desc',
    limit: '20',
    offset: '0',
    withTotal: 'false',
  });
  return `/${PROJECT_KEY}/carts?${query.toString()}`;
}
/** The query of a mint's uniqueness check (carts; the orders one is alike). */
function checkQuery(anonymousId: string): string {
  const query = new URLSearchParams({
    where: 'anonymousId = :aid',
    'var.aid': anonymousId,
    limit: '1',
    withTotal: 'false',
  });
  return `/${PROJECT_KEY}/carts?${query.toString()}`;
}

function sessionKey(anonymousId: string): string {
  return `${PREFIX}{${anonymousId}}:session`;
}

/** Sessions written in the service's own format (session.store.ts), in pipelined batches. */
async function seedSessions(redis: Redis, ids: Iterable<string>): Promise<void> {
  const createdAt = new Date().toISOString();
  let pipeline = redis.pipeline();
  let queued = 0;
  for (const anonymousId of ids) {
    pipeline.set(
      sessionKey(anonymousId),
      JSON.stringify({ anonymousId, clientId: CLIENT_ID, status: 'active', createdAt }),
      'EX',
      86_400,
    );
    if (++queued === 1000) {
      await pipeline.exec();
      pipeline = redis.pipeline();
      queued = 0;
    }
  }
  if (queued > 0) await pipeline.exec();
}

async function deleteSessions(redis: Redis, ids: string[]): Promise<void> {
  for (let i = 0; i < ids.length; i += 1000) await redis.del(...ids.slice(i, i + 1000).map(sessionKey));
}

async function startService(
  stubUrl: string,
  redisUrl: string,
  prefix: string,
  logFile: string,
): Promise<{ child: Child; url: string }> {
  const port = await freePort();
  const args = [
    ...startFlags(),
    ...(PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`, '--cpu-prof-name=service.cpuprofile'] : []),
    join(ROOT, 'dist', 'src', 'main.js'),
  ];
  const { child } = await spawnNode(
    'service',
    args,
    {
      NODE_ENV: 'production',
      CTP_PROJECT_KEY: PROJECT_KEY,
      CTP_CLIENT_ID: 'bench',
      CTP_CLIENT_SECRET: 'bench-secret',
      CTP_AUTH_URL: stubUrl,
      CTP_API_URL: stubUrl,
      CTP_SCOPES: `manage_project:${PROJECT_KEY}`,
      REDIS_URL: redisUrl,
      REDIS_KEY_PREFIX: prefix,
      API_KEYS: `${CLIENT_ID}:${API_KEY}:sessions`,
      IDEMPOTENCY_SECRET: 'bench-idempotency-secret-0123456789abcdef',
      PORT: String(port),
      RATE_LIMIT_PER_MINUTE: '0',
      // LOG_LEVEL stays at its production default (info): one JSON line per request, into a file.
    },
    { logFile },
  );
  const url = `http://127.0.0.1:${port}`;
  await waitFor(`${url}/readyz`, (status) => status === 200);
  return { child, url };
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

/** Median of rps, p50 and p99 over rounds; the highest RSS; the sums of requests and failures. */
function combine(runs: Measured[]): Measured & { runs_rps: number[] } {
  return {
    ...runs[0]!,
    rps: Math.round(median(runs.map((r) => r.rps))),
    p50_ms: median(runs.map((r) => r.p50_ms)),
    p99_ms: median(runs.map((r) => r.p99_ms)),
    cpu_us_per_req: Math.round(median(runs.map((r) => r.cpu_us_per_req))),
    peak_rss_mb: Math.max(...runs.map((r) => r.peak_rss_mb)),
    requests: runs.reduce((sum, r) => sum + r.requests, 0),
    non_2xx: runs.reduce((sum, r) => sum + r.non_2xx, 0),
    errors: runs.reduce((sum, r) => sum + r.errors, 0),
    runs_rps: runs.map((r) => r.rps),
  };
}

function brief(name: string, m: Measured): void {
  log(
    `  ${name.padEnd(22)} ${String(m.rps).padStart(6)} req/s  p50 ${m.p50_ms.toFixed(2)} ms  p99 ${m.p99_ms.toFixed(2)} ms  RSS ${m.peak_rss_mb} MB${m.non_2xx || m.errors ? `  (non-2xx ${m.non_2xx}, errors ${m.errors})` : ''}`,
  );
}

type LookupRun = Measured & { redis_keys: number; redis_us_per_mget: number };

/** Redis's own time per call of a command since the last CONFIG RESETSTAT (INFO commandstats). */
async function usecPerCall(redis: Redis, command: string): Promise<number> {
  const stats = await redis.info('commandstats');
  const match = new RegExp(`^cmdstat_${command}:.*usec_per_call=([\\d.]+)`, 'm').exec(stats);
  return match ? Number(match[1]) : NaN;
}

async function metricValue(serviceUrl: string, name: string): Promise<number> {
  const text = await fetch(`${serviceUrl}/metrics`).then((r) => r.text());
  const match = new RegExp(`^${name} (\\S+)$`, 'm').exec(text);
  return match ? Number(match[1]) : NaN;
}

function countLines(file: string): number {
  if (!existsSync(file)) return 0;
  let count = 0;
  const text = readFileSync(file);
  for (let i = 0; i < text.length; i++) if (text[i] === 10) count++;
  return count;
}

async function main(): Promise<void> {
  const started = Date.now();
  if (process.env.BENCH_SKIP_BUILD !== '1') {
    log('building (npm run build) ...');
    const build = spawnSync(
      process.execPath,
      [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(ROOT, 'tsconfig.build.json')],
      { cwd: ROOT, stdio: 'inherit' },
    );
    if (build.status !== 0) throw new Error('build failed');
  }
  if (PROFILE) {
    rmSync(PROFILE_DIR, { recursive: true, force: true });
    mkdirSync(PROFILE_DIR, { recursive: true });
  }
  const work = join(tmpdir(), `ct-bench-${process.pid}`);
  mkdirSync(work, { recursive: true });
  const serviceLog = join(work, 'service.log');

  let redis: PrivateRedis | undefined;
  let store: Redis | undefined;
  try {
    redis = await startRedisServer();
    stopWithAll(redis.stop);
    store = new Redis(redis.url);
    const tsx = ['--import', 'tsx'];
    const stub = await spawnNode('stub', [...tsx, join(ROOT, 'bench', 'stub.ts')], { PORT: '0' }, { printsUrl: true });
    const stubUrl = stub.url!;
    // The floor runs with the same node flags and NODE_ENV as the service (npm start's).
    const proxyArgs = [
      ...startFlags(),
      ...tsx,
      ...(PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`, '--cpu-prof-name=passthrough.cpuprofile'] : []),
      join(ROOT, 'bench', 'passthrough.ts'),
    ];
    const proxy = await spawnNode(
      'passthrough',
      proxyArgs,
      { NODE_ENV: 'production', UPSTREAM: stubUrl, PROJECT_KEY: PROJECT_KEY, PORT: '0' },
      { printsUrl: true },
    );
    const proxyFetch = await spawnNode(
      'passthrough-fetch',
      [...startFlags(), ...tsx, join(ROOT, 'bench', 'passthrough.ts')],
      { NODE_ENV: 'production', UPSTREAM: stubUrl, PROJECT_KEY: PROJECT_KEY, PORT: '0', CLIENT: 'fetch' },
      { printsUrl: true },
    );
    const service = await startService(stubUrl, redis.url, PREFIX, serviceLog);
    await seedSessions(store, [CART_SESSION]);
    log(`stub ${stubUrl}, passthrough ${proxy.url}, service ${service.url}, redis ${redis.url}`);
    log(
      `load: autocannon, ${CONNECTIONS} connections, ${DURATION_S} s per run after a ${WARMUP_S} s warm-up; latency runs: 1 connection, ${LATENCY_S} s`,
    );

    const settings = { connections: CONNECTIONS, durationS: DURATION_S };
    const warm = (load: Load, pid: number) => measure(load, { connections: CONNECTIONS, durationS: WARMUP_S, pid });

    const directLoad: Load = {
      url: `${stubUrl}${cartsQuery(CART_SESSION)}`,
      headers: { Authorization: 'Bearer bench-token' },
    };
    const passthroughLoad: Load = { url: `${proxy.url}${cartsQuery(CART_SESSION)}` };
    const passthroughFetchLoad: Load = { url: `${proxyFetch.url}${cartsQuery(CART_SESSION)}` };
    const cartsLoad: Load = { url: `${service.url}/v1/sessions/${CART_SESSION}/carts`, headers: AUTH };
    const mintLoad: Load = { url: `${service.url}/v1/sessions`, method: 'POST', headers: JSON_POST, body: '{}' };

    // Sanity: each load answers 2xx with what it should, before anything is measured.
    const cartsPage = (await fetch(cartsLoad.url, { headers: AUTH }).then((r) => r.json())) as {
      results: Array<{ lineItems: unknown[] }>;
    };
    if (cartsPage.results?.[0]?.lineItems.length !== 2)
      throw new Error(`service_carts does not list the stub's cart: ${JSON.stringify(cartsPage).slice(0, 200)}`);
    const passed = (await fetch(passthroughLoad.url).then((r) => r.json())) as { results: unknown[] };
    if (JSON.stringify(passed) !== JSON.stringify(await fetch(directLoad.url).then((r) => r.json())))
      throw new Error('passthrough does not forward the query');

    log('upstream round trip (the stub, one query at a time) ...');
    const rtt = await measure(
      { url: `${stubUrl}${checkQuery(randomUUID())}`, headers: { Authorization: 'Bearer bench-token' } },
      { connections: 1, durationS: LATENCY_S, pid: stub.child.pid },
    );
    brief('upstream_rtt', rtt);

    log('direct ...');
    await warm(directLoad, stub.child.pid);
    const direct = await measure(directLoad, { ...settings, pid: stub.child.pid });
    brief('direct', direct);

    log(`passthrough and service_carts, alternated, ${ROUNDS} rounds ...`);
    await warm(passthroughLoad, proxy.child.pid);
    await warm(cartsLoad, service.child.pid);
    const passthroughRuns: Measured[] = [];
    const cartsRuns: Measured[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      passthroughRuns.push(await measure(passthroughLoad, { ...settings, pid: proxy.child.pid }));
      brief(`passthrough #${round + 1}`, passthroughRuns.at(-1)!);
      cartsRuns.push(await measure(cartsLoad, { ...settings, pid: service.child.pid }));
      brief(`service_carts #${round + 1}`, cartsRuns.at(-1)!);
    }
    const passthrough = combine(passthroughRuns);
    const serviceCarts = combine(cartsRuns);

    log('passthrough_fetch (reference: bare fetch instead of the ts-client) ...');
    await warm(passthroughFetchLoad, proxyFetch.child.pid);
    const passthroughFetch = await measure(passthroughFetchLoad, { ...settings, pid: proxyFetch.child.pid });
    brief('passthrough_fetch', passthroughFetch);
    await proxyFetch.child.stop();

    log('service_mint ...');
    await warm(mintLoad, service.child.pid);
    const mint = await measure(mintLoad, { ...settings, pid: service.child.pid });
    brief('service_mint', mint);
    const mintUnloaded = await measure(mintLoad, { connections: 1, durationS: LATENCY_S, pid: service.child.pid });
    brief('service_mint (1 conn)', mintUnloaded);
    const cartsUnloaded = await measure(cartsLoad, { connections: 1, durationS: LATENCY_S, pid: service.child.pid });
    brief('service_carts (1 conn)', cartsUnloaded);
    const passthroughUnloaded = await measure(passthroughLoad, {
      connections: 1,
      durationS: LATENCY_S,
      pid: proxy.child.pid,
    });
    brief('passthrough (1 conn)', passthroughUnloaded);

    log('session lookups with 100 and with 100,000 sessions in Redis, alternated ...');
    // Only these sessions in Redis (the mints above made thousands).
    await store.flushdb();
    await seedSessions(store, [CART_SESSION]);
    const lookupIds = (from: number, to: number) =>
      Array.from({ length: to - from }, (_, i) => `${BENCH_AID_PREFIX}lookup-${from + i}`);
    const lookupLoad = (n: number): Load => ({
      url: `${service.url}/v1/sessions/x`,
      headers: AUTH,
      path: () => `/v1/sessions/${BENCH_AID_PREFIX}lookup-${Math.floor(Math.random() * n)}`,
    });
    await seedSessions(store, lookupIds(0, 100));
    // In the order 100, 100k, 100k, 100: a drift of the machine's speed over the four runs then
    // weighs on both sides alike. Redis's own time per MGET is read for each run as well.
    const smallRuns: LookupRun[] = [];
    const largeRuns: LookupRun[] = [];
    const lookupRun = async (n: number, runs: LookupRun[]) => {
      const keys = await store!.dbsize();
      await store!.config('RESETSTAT');
      const m = await measure(lookupLoad(n), { ...settings, pid: service.child.pid });
      runs.push({ ...m, redis_keys: keys, redis_us_per_mget: await usecPerCall(store!, 'mget') });
      brief(`lookups, ${keys} keys`, m);
      log(`    Redis: ${runs.at(-1)!.redis_us_per_mget} µs per MGET`);
    };
    await warm(lookupLoad(100), service.child.pid);
    await lookupRun(100, smallRuns);
    const fillStarted = Date.now();
    await seedSessions(store, lookupIds(100, 100_000));
    log(`  filled Redis to ${await store.dbsize()} keys in ${Date.now() - fillStarted} ms`);
    await warm(lookupLoad(100_000), service.child.pid);
    await lookupRun(100_000, largeRuns);
    await lookupRun(100_000, largeRuns);
    await deleteSessions(store, lookupIds(100, 100_000));
    await warm(lookupLoad(100), service.child.pid);
    await lookupRun(100, smallRuns);
    const keysSmall = smallRuns[0]!.redis_keys;
    const keysLarge = largeRuns[0]!.redis_keys;
    const lookups100 = combine(smallRuns);
    const lookups100k = combine(largeRuns);

    log('leak check: the same mixed load three times ...');
    const mixed: Load = {
      url: service.url,
      headers: JSON_POST,
      requests: [
        { method: 'GET', path: `/v1/sessions/${CART_SESSION}/carts` },
        { method: 'POST', path: '/v1/sessions', body: '{}' },
        { method: 'GET', path: () => `/v1/sessions/${BENCH_AID_PREFIX}lookup-${Math.floor(Math.random() * 100)}` },
      ],
    };
    const leakRuns: Array<Measured & { heap_used_mb: number }> = [];
    for (let run = 0; run < 3; run++) {
      const m = await measure(mixed, { connections: CONNECTIONS, durationS: 10, pid: service.child.pid });
      const heapUsedMb =
        Math.round(((await metricValue(service.url, 'nodejs_heap_size_used_bytes')) / 1048576) * 10) / 10;
      leakRuns.push({ ...m, heap_used_mb: heapUsedMb });
      brief(`mixed #${run + 1}`, m);
    }

    log(`overlap check: stub answering after ${OVERLAP_DELAY_MS} ms, one connection ...`);
    const slowStub = await spawnNode(
      'slow-stub',
      [...tsx, join(ROOT, 'bench', 'stub.ts')],
      { PORT: '0', STUB_DELAY_MS: String(OVERLAP_DELAY_MS) },
      { printsUrl: true },
    );
    const slowService = await startService(slowStub.url!, redis.url, 'bench-slow:', join(work, 'slow-service.log'));
    const slowRtt = await measure(
      { url: `${slowStub.url}${checkQuery(randomUUID())}`, headers: { Authorization: 'Bearer bench-token' } },
      { connections: 1, durationS: LATENCY_S, pid: slowStub.child.pid },
    );
    brief('upstream_rtt (slow)', slowRtt);
    const slowMint = await measure(
      { ...mintLoad, url: `${slowService.url}/v1/sessions` },
      { connections: 1, durationS: LATENCY_S, pid: slowService.child.pid },
    );
    brief('service_mint (slow)', slowMint);
    await slowService.child.stop();
    await slowStub.child.stop();

    const servedRequests = [direct, passthrough, serviceCarts, passthroughFetch, mint].reduce(
      (sum, m) => sum + m.requests,
      0,
    );
    const failures = [
      rtt,
      direct,
      passthrough,
      serviceCarts,
      passthroughFetch,
      mint,
      mintUnloaded,
      cartsUnloaded,
      lookups100,
      lookups100k,
      ...leakRuns,
      slowRtt,
      slowMint,
    ].reduce((sum, m) => sum + m.non_2xx + m.errors, 0);
    await service.child.stop();
    await proxy.child.stop();
    await stub.child.stop();
    const logLines = countLines(serviceLog);

    const ratio = Math.round((serviceCarts.rps / passthrough.rps) * 1000) / 1000;
    const mintLimit = Math.round((1.5 * rtt.p50_ms + 2) * 100) / 100;
    const slowMintLimit = Math.round((1.5 * slowRtt.p50_ms + 2) * 100) / 100;
    const peakRss = Math.max(
      serviceCarts.peak_rss_mb,
      mint.peak_rss_mb,
      lookups100.peak_rss_mb,
      lookups100k.peak_rss_mb,
      ...leakRuns.map((r) => r.peak_rss_mb),
    );
    const leakGrowth = Math.round((leakRuns[2]!.peak_rss_mb - leakRuns[0]!.peak_rss_mb) * 10) / 10;
    const lookupRatio = Math.round((lookups100k.rps / lookups100.rps) * 1000) / 1000;
    const pick = (m: Measured) => ({
      rps: m.rps,
      p50_ms: m.p50_ms,
      p99_ms: m.p99_ms,
      peak_rss_mb: m.peak_rss_mb,
      cpu_us_per_req: m.cpu_us_per_req,
      requests: m.requests,
      non_2xx: m.non_2xx,
      errors: m.errors,
    });

    const results = {
      generated_at: new Date().toISOString(),
      machine: { cpus: cpus().length, cpu_model: cpus()[0]?.model ?? 'unknown', node: process.version },
      settings: {
        tool: 'autocannon',
        connections: CONNECTIONS,
        duration_s: DURATION_S,
        warmup_s: WARMUP_S,
        rounds: ROUNDS,
        latency_connections: 1,
        latency_duration_s: LATENCY_S,
      },
      direct: pick(direct),
      passthrough: {
        ...pick(passthrough),
        runs_rps: passthrough.runs_rps,
        client: 'ts-client + fetch (buildCtpClient)',
        unloaded: {
          p50_ms: passthroughUnloaded.p50_ms,
          p99_ms: passthroughUnloaded.p99_ms,
          rps: passthroughUnloaded.rps,
        },
      },
      passthrough_fetch: { ...pick(passthroughFetch), client: 'bare fetch (reference)' },
      service_carts: {
        ...pick(serviceCarts),
        runs_rps: serviceCarts.runs_rps,
        unloaded: { p50_ms: cartsUnloaded.p50_ms, p99_ms: cartsUnloaded.p99_ms, rps: cartsUnloaded.rps },
      },
      // The mint target compares latencies: measured like upstream_rtt, at one connection; the
      // 32-connection run (throughput, queueing) is under `loaded`.
      service_mint: { ...pick(mintUnloaded), connections: 1, loaded: { ...pick(mint), connections: CONNECTIONS } },
      upstream_rtt_p50_ms: rtt.p50_ms,
      upstream_rtt_p99_ms: rtt.p99_ms,
      ratio_carts_vs_passthrough: ratio,
      ratio_carts_vs_passthrough_fetch: Math.round((serviceCarts.rps / passthroughFetch.rps) * 1000) / 1000,
      mint_overlap: {
        stub_delay_ms: OVERLAP_DELAY_MS,
        upstream_rtt_p50_ms: slowRtt.p50_ms,
        service_mint_p50_ms: slowMint.p50_ms,
        service_mint_p99_ms: slowMint.p99_ms,
        limit_ms: slowMintLimit,
      },
      session_lookups: {
        sessions_100: {
          redis_keys: keysSmall,
          redis_us_per_mget: median(smallRuns.map((r) => r.redis_us_per_mget)),
          ...pick(lookups100),
        },
        sessions_100000: {
          redis_keys: keysLarge,
          redis_us_per_mget: median(largeRuns.map((r) => r.redis_us_per_mget)),
          ...pick(lookups100k),
        },
        order: '100, 100000, 100000, 100',
        runs_rps: { sessions_100: smallRuns.map((r) => r.rps), sessions_100000: largeRuns.map((r) => r.rps) },
        ratio_rps: lookupRatio,
        p50_delta_ms: Math.round((lookups100k.p50_ms - lookups100.p50_ms) * 100) / 100,
      },
      leak: {
        load: 'GET carts + POST sessions + GET session, in turn',
        duration_s: 10,
        runs: leakRuns.map((r) => ({ rps: r.rps, peak_rss_mb: r.peak_rss_mb, heap_used_mb: r.heap_used_mb })),
        rss_growth_mb: leakGrowth,
      },
      peak_rss_mb: peakRss,
      service_log_lines: logLines,
      service_requests_measured: servedRequests,
      failed_requests: failures,
      targets: {
        carts_throughput_vs_passthrough: { value: ratio, limit: '>= 0.75', met: ratio >= 0.75 },
        mint_p50_vs_upstream_rtt: {
          value: mintUnloaded.p50_ms,
          limit: `<= 1.5 * ${rtt.p50_ms} + 2 = ${mintLimit}`,
          met: mintUnloaded.p50_ms <= mintLimit,
          measured: 'one connection (latency, not queueing)',
        },
        mint_overlap_with_slow_upstream: {
          value: slowMint.p50_ms,
          limit: `<= 1.5 * ${slowRtt.p50_ms} + 2 = ${slowMintLimit}`,
          met: slowMint.p50_ms <= slowMintLimit,
        },
        peak_rss_under_load: { value: peakRss, limit: '<= 200 MB', met: peakRss <= 200 },
        no_rss_growth_over_three_runs: {
          value: leakGrowth,
          limit: `<= 10% of the first run (${Math.round(leakRuns[0]!.peak_rss_mb * 0.1)} MB)`,
          met: leakGrowth <= leakRuns[0]!.peak_rss_mb * 0.1,
        },
        lookups_independent_of_session_count: {
          value: lookupRatio,
          limit: '100k/100 throughput within 0.9..1.1',
          met: lookupRatio >= 0.9 && lookupRatio <= 1.1,
        },
        no_failed_requests: { value: failures, limit: '0', met: failures === 0 },
      },
      duration_s: Math.round((Date.now() - started) / 1000),
    };
    writeFileSync(join(ROOT, 'bench', 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
    writeResultsTable(results);
    log('');
    for (const [name, target] of Object.entries(results.targets))
      log(`  ${target.met ? 'met    ' : 'NOT MET'} ${name}: ${target.value} (${target.limit})`);
    log(
      `wrote bench/results.json and bench/RESULTS.md in ${results.duration_s} s (service log: ${logLines} lines for the measured requests)`,
    );
    if (PROFILE) {
      log('');
      log(summariseProfiles(PROFILE_DIR));
    }
  } finally {
    store?.disconnect();
    await stopAll();
    await redis?.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

type Results = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const START = '<!-- bench:results:start -->';
const END = '<!-- bench:results:end -->';

/** Replaces the generated part of bench/RESULTS.md; the findings written around it stay. */
function writeResultsTable(r: Results): void {
  const file = join(ROOT, 'bench', 'RESULTS.md');
  const row = (name: string, m: Results, note = '') =>
    `| \`${name}\` | ${m.rps} | ${m.p50_ms.toFixed(2)} | ${m.p99_ms.toFixed(2)} | ${m.peak_rss_mb} | ${m.cpu_us_per_req} | ${note} |`;
  const yes = (met: boolean) => (met ? 'met' : '**not met**');
  const t = r.targets;
  const table = [
    START,
    `Generated by \`npm run bench\` on ${r.generated_at} (${r.machine.cpus} × ${r.machine.cpu_model}, Node ${r.machine.node}, ${r.duration_s} s).`,
    `autocannon, ${r.settings.connections} connections, ${r.settings.duration_s} s per run after a ${r.settings.warmup_s} s warm-up; passthrough and service_carts alternated ${r.settings.rounds} times (medians).`,
    '',
    '| scenario | req/s | p50 ms | p99 ms | peak RSS MB | CPU µs/req | |',
    '|---|---:|---:|---:|---:|---:|---|',
    row('direct', r.direct, 'the stub alone'),
    row('passthrough', r.passthrough, `the floor: ts-client + fetch; runs ${r.passthrough.runs_rps.join(', ')}`),
    row('passthrough_fetch', r.passthrough_fetch, 'reference: bare fetch'),
    row('service_carts', r.service_carts, `GET /v1/sessions/{id}/carts; runs ${r.service_carts.runs_rps.join(', ')}`),
    row('service_mint', r.service_mint.loaded, 'POST /v1/sessions'),
    row(
      'lookups, 100 sessions',
      r.session_lookups.sessions_100,
      `GET /v1/sessions/{id}, ${r.session_lookups.sessions_100.redis_keys} keys in Redis, ${r.session_lookups.sessions_100.redis_us_per_mget} µs per MGET in Redis`,
    ),
    row(
      'lookups, 100,000 sessions',
      r.session_lookups.sessions_100000,
      `${r.session_lookups.sessions_100000.redis_keys} keys in Redis, ${r.session_lookups.sessions_100000.redis_us_per_mget} µs per MGET in Redis`,
    ),
    '',
    'One connection (latency without queueing):',
    '',
    '| | p50 ms | p99 ms |',
    '|---|---:|---:|',
    `| \`upstream_rtt\`: one uniqueness-check query to the stub | ${r.upstream_rtt_p50_ms.toFixed(2)} | ${r.upstream_rtt_p99_ms.toFixed(2)} |`,
    `| passthrough | ${r.passthrough.unloaded.p50_ms.toFixed(2)} | ${r.passthrough.unloaded.p99_ms.toFixed(2)} |`,
    `| service_carts | ${r.service_carts.unloaded.p50_ms.toFixed(2)} | ${r.service_carts.unloaded.p99_ms.toFixed(2)} |`,
    `| service_mint | ${r.service_mint.p50_ms.toFixed(2)} | ${r.service_mint.p99_ms.toFixed(2)} |`,
    `| upstream_rtt, stub answering after ${r.mint_overlap.stub_delay_ms} ms | ${r.mint_overlap.upstream_rtt_p50_ms.toFixed(2)} | |`,
    `| service_mint, stub answering after ${r.mint_overlap.stub_delay_ms} ms | ${r.mint_overlap.service_mint_p50_ms.toFixed(2)} | ${r.mint_overlap.service_mint_p99_ms.toFixed(2)} |`,
    '',
    `Leak check, the same mixed load three times (${r.leak.duration_s} s each): peak RSS ${r.leak.runs.map((x: Results) => `${x.peak_rss_mb} MB`).join(', ')}; heap used after each ${r.leak.runs.map((x: Results) => `${x.heap_used_mb} MB`).join(', ')}; throughput ${r.leak.runs.map((x: Results) => x.rps).join(', ')} req/s.`,
    '',
    '| target | value | limit | |',
    '|---|---:|---|---|',
    `| service_carts / passthrough throughput | ${t.carts_throughput_vs_passthrough.value} | ${t.carts_throughput_vs_passthrough.limit} | ${yes(t.carts_throughput_vs_passthrough.met)} |`,
    `| service_mint p50 (1 connection) | ${t.mint_p50_vs_upstream_rtt.value} ms | ${t.mint_p50_vs_upstream_rtt.limit} ms | ${yes(t.mint_p50_vs_upstream_rtt.met)} |`,
    `| service_mint p50, upstream ${r.mint_overlap.stub_delay_ms} ms away | ${t.mint_overlap_with_slow_upstream.value} ms | ${t.mint_overlap_with_slow_upstream.limit} ms | ${yes(t.mint_overlap_with_slow_upstream.met)} |`,
    `| peak RSS of the service under load | ${t.peak_rss_under_load.value} MB | ${t.peak_rss_under_load.limit} | ${yes(t.peak_rss_under_load.met)} |`,
    `| RSS growth, third run vs first | ${t.no_rss_growth_over_three_runs.value} MB | ${t.no_rss_growth_over_three_runs.limit} | ${yes(t.no_rss_growth_over_three_runs.met)} |`,
    `| lookups: throughput with 100,000 / with 100 sessions | ${t.lookups_independent_of_session_count.value} (p50 ${r.session_lookups.p50_delta_ms >= 0 ? '+' : ''}${r.session_lookups.p50_delta_ms} ms) | ${t.lookups_independent_of_session_count.limit} | ${yes(t.lookups_independent_of_session_count.met)} |`,
    `| failed requests (non-2xx, errors) | ${t.no_failed_requests.value} | ${t.no_failed_requests.limit} | ${yes(t.no_failed_requests.met)} |`,
    END,
  ].join('\n');
  const current =
    existsSync(file) && statSync(file).size > 0
      ? readFileSync(file, 'utf8')
      : `# Benchmark results\n\n${START}\n${END}\n`;
  const at = current.indexOf(START);
  const end = current.indexOf(END);
  const next =
    at >= 0 && end > at
      ? `${current.slice(0, at)}${table}${current.slice(end + END.length)}`
      : `${current.trimEnd()}\n\n${table}\n`;
  writeFileSync(file, next);
}

// Ctrl-C (or a closed output pipe) still stops every process the benchmark started.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void stopAll().finally(() => process.exit(130));
  });
}
process.stdout.on('error', () => undefined);

main().catch(async (error: unknown) => {
  process.stderr.write(`bench failed: ${(error as Error).stack ?? String(error)}\n`);
  await stopAll();
  process.exit(1);
});
