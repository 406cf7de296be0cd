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
import { DEFAULT_UPSTREAM_HTTP } from '../src/clients/upstream-http.client';

/**
 * `npm run bench`: the stub, a private Redis, the two floors and the service (built with
 * `npm run build`, a process of its own with production settings: LOG_LEVEL info to a file,
 * NODE_ENV=production, RATE_LIMIT_PER_MINUTE=0), all driven by autocannon with the same settings,
 * in one run. The floors (bench/passthrough.ts) forward to the stub with bare fetch and with an
 * undici Pool and import nothing of the service. Then the same at a distance: a stub answering
 * after 30 ms, 64 connections. Writes bench/results.json and the table in bench/RESULTS.md.
 *
 * `npm run bench -- --profile` also records CPU profiles of the service and the floors
 * (`--cpu-prof`, in bench/profiles/) and prints their heaviest functions.
 *
 * Env: BENCH_CONNECTIONS (32), BENCH_DURATION_S (8), BENCH_ROUNDS (3, alternated floors and
 * service_carts runs), BENCH_SKIP_BUILD=1 (reuse dist/).
 */

const ROOT = resolve(__dirname, '..');
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 8);
const WARMUP_S = 3;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const LATENCY_S = 5;
/** A commercetools region away (issue: 30 ms, 64 connections). */
const FAR_DELAY_MS = 30;
const FAR_CONNECTIONS = 64;
const FAR_ROUNDS = 2;
const PROFILE = process.argv.includes('--profile');
const PROFILE_DIR = join(ROOT, 'bench', 'profiles');

type Settings = { connections: number; durationS: number; pid: number };

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
  profileName?: string,
): Promise<{ child: Child; url: string }> {
  const port = await freePort();
  const args = [
    ...startFlags(),
    ...(profileName
      ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`, `--cpu-prof-name=${profileName}.cpuprofile`]
      : []),
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

const round2 = (value: number) => Math.round(value * 100) / 100;

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
    p50_ms: round2(median(runs.map((r) => r.p50_ms))),
    p99_ms: round2(median(runs.map((r) => r.p99_ms))),
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

/** A floor: bench/passthrough.ts with the given HTTP client, against the given stub. */
async function startPassthrough(name: string, client: 'fetch' | 'undici', stubUrl: string) {
  const args = [
    ...startFlags(),
    '--import',
    'tsx',
    ...(PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`, `--cpu-prof-name=${name}.cpuprofile`] : []),
    join(ROOT, 'bench', 'passthrough.ts'),
  ];
  // Same node flags and NODE_ENV as the service (npm start's).
  const env = { NODE_ENV: 'production', UPSTREAM: stubUrl, PORT: '0', CLIENT: client };
  const { child, url } = await spawnNode(name, args, env, { printsUrl: true });
  return { child, url: url! };
}

async function startStubProcess(name: string, delayMs: number) {
  const args = ['--import', 'tsx', join(ROOT, 'bench', 'stub.ts')];
  const { child, url } = await spawnNode(
    name,
    args,
    { PORT: '0', STUB_DELAY_MS: String(delayMs) },
    { printsUrl: true },
  );
  return { child, url: url! };
}

const ratioOf = (a: number, b: number) => Math.round((a / b) * 1000) / 1000;

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
    const stub = await startStubProcess('stub', 0);
    const viaFetch = await startPassthrough('passthrough_fetch', 'fetch', stub.url);
    const viaUndici = await startPassthrough('passthrough_undici', 'undici', stub.url);
    const service = await startService(stub.url, redis.url, PREFIX, serviceLog, PROFILE ? 'service' : undefined);
    await seedSessions(store, [CART_SESSION]);
    log(`stub ${stub.url}, fetch ${viaFetch.url}, undici ${viaUndici.url}, service ${service.url}, redis ${redis.url}`);
    log(
      `load: autocannon, ${CONNECTIONS} connections, ${DURATION_S} s per run after a ${WARMUP_S} s warm-up; latency runs: 1 connection, ${LATENCY_S} s`,
    );

    const settings = { connections: CONNECTIONS, durationS: DURATION_S };
    const warm = (load: Load, pid: number) => measure(load, { connections: CONNECTIONS, durationS: WARMUP_S, pid });
    const oneConnection = (load: Load, pid: number) => measure(load, { connections: 1, durationS: LATENCY_S, pid });

    const directLoad: Load = {
      url: `${stub.url}${cartsQuery(CART_SESSION)}`,
      headers: { Authorization: 'Bearer bench-token' },
    };
    const fetchLoad: Load = { url: `${viaFetch.url}${cartsQuery(CART_SESSION)}` };
    const undiciLoad: Load = { url: `${viaUndici.url}${cartsQuery(CART_SESSION)}` };
    const cartsLoad: Load = { url: `${service.url}/v1/sessions/${CART_SESSION}/carts`, headers: AUTH };
    const mintLoad: Load = { url: `${service.url}/v1/sessions`, method: 'POST', headers: JSON_POST, body: '{}' };

    // Sanity: each load answers 2xx with what it should, before anything is measured.
    await checkLoads(directLoad, [fetchLoad, undiciLoad], cartsLoad);

    log('upstream round trip (the stub, one query at a time) ...');
    const rtt = await oneConnection(
      { url: `${stub.url}${checkQuery(randomUUID())}`, headers: { Authorization: 'Bearer bench-token' } },
      stub.child.pid,
    );
    brief('upstream_rtt', rtt);

    log('direct ...');
    await warm(directLoad, stub.child.pid);
    const direct = await measure(directLoad, { ...settings, pid: stub.child.pid });
    brief('direct', direct);

    log(`passthrough_fetch, passthrough_undici and service_carts, alternated, ${ROUNDS} rounds ...`);
    const alternated = {
      passthrough_fetch: { load: fetchLoad, pid: viaFetch.child.pid, runs: [] as Measured[] },
      passthrough_undici: { load: undiciLoad, pid: viaUndici.child.pid, runs: [] as Measured[] },
      service_carts: { load: cartsLoad, pid: service.child.pid, runs: [] as Measured[] },
    };
    for (const each of Object.values(alternated)) await warm(each.load, each.pid);
    for (let round = 0; round < ROUNDS; round++) {
      for (const [name, each] of Object.entries(alternated)) {
        each.runs.push(await measure(each.load, { ...settings, pid: each.pid }));
        brief(`${name} #${round + 1}`, each.runs.at(-1)!);
      }
    }
    const passthroughFetch = combine(alternated.passthrough_fetch.runs);
    const passthroughUndici = combine(alternated.passthrough_undici.runs);
    const serviceCarts = combine(alternated.service_carts.runs);
    await viaFetch.child.stop();

    log('service_mint ...');
    await warm(mintLoad, service.child.pid);
    const mint = await measure(mintLoad, { ...settings, pid: service.child.pid });
    brief('service_mint', mint);
    const mintUnloaded = await oneConnection(mintLoad, service.child.pid);
    brief('service_mint (1 conn)', mintUnloaded);
    const cartsUnloaded = await oneConnection(cartsLoad, service.child.pid);
    brief('service_carts (1 conn)', cartsUnloaded);
    const undiciUnloaded = await oneConnection(undiciLoad, viaUndici.child.pid);
    brief('passthrough_undici (1 conn)', undiciUnloaded);
    await viaUndici.child.stop();

    const { lookups100, lookups100k, keysSmall, keysLarge, smallRuns, largeRuns } = await runLookups(
      store,
      service,
      settings,
    );

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
    await service.child.stop();
    await stub.child.stop();
    const logLines = countLines(serviceLog);

    const far = await runFar(redis.url);

    const servedRequests = [serviceCarts, mint, lookups100, lookups100k, ...leakRuns].reduce(
      (sum, m) => sum + m.requests,
      0,
    );
    const failures = [
      rtt,
      direct,
      passthroughFetch,
      passthroughUndici,
      serviceCarts,
      mint,
      mintUnloaded,
      cartsUnloaded,
      undiciUnloaded,
      lookups100,
      lookups100k,
      ...leakRuns,
      far.rtt,
      far.mint,
      far.direct,
      far.passthroughUndici,
      far.serviceCarts,
    ].reduce((sum, m) => sum + m.non_2xx + m.errors, 0);

    const ratioFetch = ratioOf(serviceCarts.rps, passthroughFetch.rps);
    const ratioUndici = ratioOf(serviceCarts.rps, passthroughUndici.rps);
    const mintLimit = round2(rtt.p50_ms + 1.5);
    const farMintLimit = round2(1.5 * far.rtt.p50_ms + 2);
    const farRatio = ratioOf(far.serviceCarts.rps, far.passthroughUndici.rps);
    const peakRss = Math.max(
      serviceCarts.peak_rss_mb,
      mint.peak_rss_mb,
      lookups100.peak_rss_mb,
      lookups100k.peak_rss_mb,
      ...leakRuns.map((r) => r.peak_rss_mb),
    );
    const leakGrowth = Math.round((leakRuns[2]!.peak_rss_mb - leakRuns[0]!.peak_rss_mb) * 10) / 10;
    const lookupRatio = ratioOf(lookups100k.rps, lookups100.rps);
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
    const unloaded = (m: Measured) => ({ ...pick(m), connections: 1 });

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
        far: { stub_delay_ms: FAR_DELAY_MS, connections: FAR_CONNECTIONS, rounds: FAR_ROUNDS },
        // The service's pool to commercetools (CTP_HTTP_CONNECTIONS, per origin) and the floors' (no limit).
        service_pool_connections: DEFAULT_UPSTREAM_HTTP.connections,
      },
      direct: { ...pick(direct), client: 'the stub alone' },
      passthrough_fetch: {
        ...pick(passthroughFetch),
        runs_rps: passthroughFetch.runs_rps,
        client: 'bare node:http + global fetch',
      },
      passthrough_undici: {
        ...pick(passthroughUndici),
        runs_rps: passthroughUndici.runs_rps,
        client: 'bare node:http + undici Pool.request',
        unloaded: unloaded(undiciUnloaded),
      },
      service_carts: { ...pick(serviceCarts), runs_rps: serviceCarts.runs_rps, unloaded: unloaded(cartsUnloaded) },
      // The mint target compares latencies at one connection, measured like upstream_rtt.
      service_mint: { ...pick(mint), connections: CONNECTIONS, unloaded: unloaded(mintUnloaded) },
      upstream_rtt_p50_ms: rtt.p50_ms,
      upstream_rtt_p99_ms: rtt.p99_ms,
      ratio_carts_vs_fetch: ratioFetch,
      ratio_carts_vs_undici: ratioUndici,
      far: {
        stub_delay_ms: FAR_DELAY_MS,
        connections: FAR_CONNECTIONS,
        upstream_rtt_p50_ms: far.rtt.p50_ms,
        direct: pick(far.direct),
        passthrough_undici: { ...pick(far.passthroughUndici), runs_rps: far.passthroughUndici.runs_rps },
        service_carts: { ...pick(far.serviceCarts), runs_rps: far.serviceCarts.runs_rps },
        ratio_carts_vs_undici: farRatio,
        service_mint: unloaded(far.mint),
      },
      session_lookups: {
        sessions_100: {
          redis_keys: keysSmall,
          redis_us_per_mget: round2(median(smallRuns.map((r) => r.redis_us_per_mget))),
          ...pick(lookups100),
        },
        sessions_100000: {
          redis_keys: keysLarge,
          redis_us_per_mget: round2(median(largeRuns.map((r) => r.redis_us_per_mget))),
          ...pick(lookups100k),
        },
        order: '100, 100000, 100000, 100',
        runs_rps: { sessions_100: smallRuns.map((r) => r.rps), sessions_100000: largeRuns.map((r) => r.rps) },
        ratio_rps: lookupRatio,
        p50_delta_ms: round2(lookups100k.p50_ms - lookups100.p50_ms),
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
        carts_vs_passthrough_fetch: { value: ratioFetch, limit: '>= 1.0', met: ratioFetch >= 1 },
        carts_vs_passthrough_undici: { value: ratioUndici, limit: '>= 0.45', met: ratioUndici >= 0.45 },
        mint_p50_vs_upstream_rtt: {
          value: mintUnloaded.p50_ms,
          limit: `<= ${rtt.p50_ms} + 1.5 = ${mintLimit} ms`,
          met: mintUnloaded.p50_ms <= mintLimit,
        },
        far_carts_p50: { value: far.serviceCarts.p50_ms, limit: '<= 33 ms', met: far.serviceCarts.p50_ms <= 33 },
        far_carts_p99: { value: far.serviceCarts.p99_ms, limit: '<= 45 ms', met: far.serviceCarts.p99_ms <= 45 },
        far_carts_vs_passthrough_undici: { value: farRatio, limit: '>= 0.9', met: farRatio >= 0.9 },
        // The earlier benchmark's check that a mint's steps overlap (in sequence they would take 2 round trips).
        far_mint_overlap: {
          value: far.mint.p50_ms,
          limit: `<= 1.5 * ${far.rtt.p50_ms} + 2 = ${farMintLimit} ms`,
          met: far.mint.p50_ms <= farMintLimit,
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

/** Before anything is measured: the floors forward the stub's page as it is, the service lists the cart. */
async function checkLoads(direct: Load, floors: Load[], carts: Load): Promise<void> {
  const cartsPage = (await fetch(carts.url, { headers: carts.headers }).then((r) => r.json())) as {
    results: Array<{ lineItems: unknown[] }>;
  };
  if (cartsPage.results?.[0]?.lineItems.length !== 2)
    throw new Error(`service_carts does not list the stub's cart: ${JSON.stringify(cartsPage).slice(0, 200)}`);
  const expected = JSON.stringify(await fetch(direct.url, { headers: direct.headers }).then((r) => r.json()));
  for (const floor of floors) {
    if (JSON.stringify(await fetch(floor.url).then((r) => r.json())) !== expected)
      throw new Error(`${floor.url} does not forward the query`);
  }
}

/**
 * Session lookups with 100 and with 100,000 sessions in Redis. In the order 100, 100k, 100k, 100:
 * a drift of the machine's speed over the four runs then weighs on both sides alike. Redis's own
 * time per MGET is read for each run as well.
 */
async function runLookups(store: Redis, service: { url: string; child: Child }, settings: Omit<Settings, 'pid'>) {
  log('session lookups with 100 and with 100,000 sessions in Redis, alternated ...');
  const pid = service.child.pid;
  // Only these sessions in Redis (the mints before made thousands).
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
  const smallRuns: LookupRun[] = [];
  const largeRuns: LookupRun[] = [];
  const lookupRun = async (n: number, runs: LookupRun[]) => {
    const keys = await store.dbsize();
    await store.config('RESETSTAT');
    const m = await measure(lookupLoad(n), { ...settings, pid });
    runs.push({ ...m, redis_keys: keys, redis_us_per_mget: await usecPerCall(store, 'mget') });
    brief(`lookups, ${keys} keys`, m);
    log(`    Redis: ${runs.at(-1)!.redis_us_per_mget} µs per MGET`);
  };
  const warm = (n: number) => measure(lookupLoad(n), { connections: settings.connections, durationS: WARMUP_S, pid });
  await warm(100);
  await lookupRun(100, smallRuns);
  const fillStarted = Date.now();
  await seedSessions(store, lookupIds(100, 100_000));
  log(`  filled Redis to ${await store.dbsize()} keys in ${Date.now() - fillStarted} ms`);
  await warm(100_000);
  await lookupRun(100_000, largeRuns);
  await lookupRun(100_000, largeRuns);
  await deleteSessions(store, lookupIds(100, 100_000));
  await warm(100);
  await lookupRun(100, smallRuns);
  return {
    lookups100: combine(smallRuns),
    lookups100k: combine(largeRuns),
    keysSmall: smallRuns[0]!.redis_keys,
    keysLarge: largeRuns[0]!.redis_keys,
    smallRuns,
    largeRuns,
  };
}

/**
 * A commercetools region away: a second stub answering after FAR_DELAY_MS, with the undici floor
 * and a second service in front of it, at FAR_CONNECTIONS. At this distance throughput is set by
 * concurrency (connections ÷ round trip), so any pool or queue in the way shows as lost req/s and
 * a longer tail. The mint runs at one connection: its three steps overlap, so it costs one round trip.
 */
async function runFar(redisUrl: string) {
  log(`far: stub answering after ${FAR_DELAY_MS} ms, ${FAR_CONNECTIONS} connections ...`);
  const farStub = await startStubProcess('far-stub', FAR_DELAY_MS);
  const farUndici = await startPassthrough('far_passthrough_undici', 'undici', farStub.url);
  const farService = await startService(farStub.url, redisUrl, 'bench-far:', '/dev/null');
  const rtt = await measure(
    { url: `${farStub.url}${checkQuery(randomUUID())}`, headers: { Authorization: 'Bearer bench-token' } },
    { connections: 1, durationS: LATENCY_S, pid: farStub.child.pid },
  );
  brief('upstream_rtt (far)', rtt);
  // The stub alone at the same concurrency: what no process in between can beat.
  const farDirectLoad: Load = {
    url: `${farStub.url}${cartsQuery(CART_SESSION)}`,
    headers: { Authorization: 'Bearer bench-token' },
  };
  await measure(farDirectLoad, { connections: FAR_CONNECTIONS, durationS: WARMUP_S, pid: farStub.child.pid });
  const direct = await measure(farDirectLoad, {
    connections: FAR_CONNECTIONS,
    durationS: DURATION_S,
    pid: farStub.child.pid,
  });
  brief('far direct', direct);
  const redis = new Redis(redisUrl);
  await redis.set(
    `bench-far:{${CART_SESSION}}:session`,
    JSON.stringify({
      anonymousId: CART_SESSION,
      clientId: CLIENT_ID,
      status: 'active',
      createdAt: new Date().toISOString(),
    }),
    'EX',
    86_400,
  );
  redis.disconnect();
  const farSettings = { connections: FAR_CONNECTIONS, durationS: DURATION_S };
  const loads = {
    passthrough_undici: {
      load: { url: `${farUndici.url}${cartsQuery(CART_SESSION)}` } as Load,
      pid: farUndici.child.pid,
      runs: [] as Measured[],
    },
    service_carts: {
      load: { url: `${farService.url}/v1/sessions/${CART_SESSION}/carts`, headers: AUTH } as Load,
      pid: farService.child.pid,
      runs: [] as Measured[],
    },
  };
  for (const each of Object.values(loads))
    await measure(each.load, { connections: FAR_CONNECTIONS, durationS: WARMUP_S, pid: each.pid });
  for (let round = 0; round < FAR_ROUNDS; round++) {
    for (const [name, each] of Object.entries(loads)) {
      each.runs.push(await measure(each.load, { ...farSettings, pid: each.pid }));
      brief(`far ${name} #${round + 1}`, each.runs.at(-1)!);
    }
  }
  const mint = await measure(
    { url: `${farService.url}/v1/sessions`, method: 'POST', headers: JSON_POST, body: '{}' },
    { connections: 1, durationS: LATENCY_S, pid: farService.child.pid },
  );
  brief('service_mint (far, 1 conn)', mint);
  await farService.child.stop();
  await farUndici.child.stop();
  await farStub.child.stop();
  return {
    rtt,
    mint,
    direct,
    passthroughUndici: combine(loads.passthrough_undici.runs),
    serviceCarts: combine(loads.service_carts.runs),
  };
}

type Results = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const TARGET_NAMES: Record<string, string> = {
  carts_vs_passthrough_fetch: 'service_carts / passthrough_fetch, req/s',
  carts_vs_passthrough_undici: 'service_carts / passthrough_undici, req/s',
  mint_p50_vs_upstream_rtt: 'service_mint p50, 1 connection',
  far_carts_p50: 'service_carts p50, 30 ms away, 64 connections',
  far_carts_p99: 'service_carts p99, 30 ms away, 64 connections',
  far_carts_vs_passthrough_undici: 'service_carts / passthrough_undici, req/s, 30 ms away',
  far_mint_overlap: 'service_mint p50, 30 ms away, 1 connection (steps overlap)',
  peak_rss_under_load: 'peak RSS of the service under load',
  no_rss_growth_over_three_runs: 'RSS growth, third run vs first',
  lookups_independent_of_session_count: 'lookups: req/s with 100,000 / with 100 sessions',
  no_failed_requests: 'failed requests (non-2xx, errors)',
};

const START = '<!-- bench:results:start -->';
const END = '<!-- bench:results:end -->';

/** Replaces the generated part of bench/RESULTS.md; the findings written around it stay. */
function writeResultsTable(r: Results): void {
  const file = join(ROOT, 'bench', 'RESULTS.md');
  const row = (name: string, m: Results, note = '') =>
    `| \`${name}\` | ${m.rps} | ${m.p50_ms.toFixed(2)} | ${m.p99_ms.toFixed(2)} | ${m.peak_rss_mb} | ${m.cpu_us_per_req} | ${note} |`;
  const yes = (met: boolean) => (met ? 'met' : '**not met**');
  const lookups = r.session_lookups;
  const table = [
    START,
    `Generated by \`npm run bench\` on ${r.generated_at} (${r.machine.cpus} × ${r.machine.cpu_model}, Node ${r.machine.node}, ${r.duration_s} s).`,
    `autocannon, ${r.settings.connections} connections, ${r.settings.duration_s} s per run after a ${r.settings.warmup_s} s warm-up; the floors and service_carts alternated ${r.settings.rounds} times (medians).`,
    '',
    '| scenario | req/s | p50 ms | p99 ms | peak RSS MB | CPU µs/req | |',
    '|---|---:|---:|---:|---:|---:|---|',
    row('direct', r.direct, 'the stub alone'),
    row(
      'passthrough_fetch',
      r.passthrough_fetch,
      `floor: node:http + fetch; runs ${r.passthrough_fetch.runs_rps.join(', ')}`,
    ),
    row(
      'passthrough_undici',
      r.passthrough_undici,
      `floor: node:http + undici Pool; runs ${r.passthrough_undici.runs_rps.join(', ')}`,
    ),
    row('service_carts', r.service_carts, `GET /v1/sessions/{id}/carts; runs ${r.service_carts.runs_rps.join(', ')}`),
    row('service_mint', r.service_mint, 'POST /v1/sessions'),
    row(
      'lookups, 100 sessions',
      lookups.sessions_100,
      `GET /v1/sessions/{id}, ${lookups.sessions_100.redis_keys} keys in Redis, ${lookups.sessions_100.redis_us_per_mget} µs per MGET in Redis`,
    ),
    row(
      'lookups, 100,000 sessions',
      lookups.sessions_100000,
      `${lookups.sessions_100000.redis_keys} keys in Redis, ${lookups.sessions_100000.redis_us_per_mget} µs per MGET in Redis`,
    ),
    '',
    `A region away: the stub answering after ${r.far.stub_delay_ms} ms, ${r.far.connections} connections, alternated ${r.settings.far.rounds} times; the service's pool: ${r.settings.service_pool_connections} connections per origin.`,
    '',
    '| scenario | req/s | p50 ms | p99 ms | peak RSS MB | CPU µs/req | |',
    '|---|---:|---:|---:|---:|---:|---|',
    row('direct', r.far.direct, 'the stub alone'),
    row('passthrough_undici', r.far.passthrough_undici, `runs ${r.far.passthrough_undici.runs_rps.join(', ')}`),
    row('service_carts', r.far.service_carts, `runs ${r.far.service_carts.runs_rps.join(', ')}`),
    '',
    'One connection (latency without queueing):',
    '',
    '| | p50 ms | p99 ms |',
    '|---|---:|---:|',
    `| \`upstream_rtt\`: one uniqueness-check query to the stub | ${r.upstream_rtt_p50_ms.toFixed(2)} | ${r.upstream_rtt_p99_ms.toFixed(2)} |`,
    `| passthrough_undici | ${r.passthrough_undici.unloaded.p50_ms.toFixed(2)} | ${r.passthrough_undici.unloaded.p99_ms.toFixed(2)} |`,
    `| service_carts | ${r.service_carts.unloaded.p50_ms.toFixed(2)} | ${r.service_carts.unloaded.p99_ms.toFixed(2)} |`,
    `| service_mint | ${r.service_mint.unloaded.p50_ms.toFixed(2)} | ${r.service_mint.unloaded.p99_ms.toFixed(2)} |`,
    `| upstream_rtt, stub answering after ${r.far.stub_delay_ms} ms | ${r.far.upstream_rtt_p50_ms.toFixed(2)} | |`,
    `| service_mint, stub answering after ${r.far.stub_delay_ms} ms | ${r.far.service_mint.p50_ms.toFixed(2)} | ${r.far.service_mint.p99_ms.toFixed(2)} |`,
    '',
    `Leak check, the same mixed load three times (${r.leak.duration_s} s each): peak RSS ${r.leak.runs.map((x: Results) => `${x.peak_rss_mb} MB`).join(', ')}; heap used after each ${r.leak.runs.map((x: Results) => `${x.heap_used_mb} MB`).join(', ')}; throughput ${r.leak.runs.map((x: Results) => x.rps).join(', ')} req/s.`,
    '',
    '| target | value | limit | |',
    '|---|---:|---|---|',
    ...Object.entries(TARGET_NAMES).map(([key, name]) => {
      const t = r.targets[key] as { value: unknown; limit: string; met: boolean };
      return `| ${name} | ${String(t.value)} | ${t.limit} | ${yes(t.met)} |`;
    }),
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
