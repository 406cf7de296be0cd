import { spawn, type ChildProcess } from 'node:child_process';
import { openSync, closeSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import autocannon from 'autocannon';

/** The node flags of `npm start` (package.json), so the service runs here as it does in production. */
export function startFlags(): string[] {
  const start = (
    JSON.parse(readFileSync(join(resolve(__dirname, '..'), 'package.json'), 'utf8')) as { scripts: { start: string } }
  ).scripts.start;
  const words = start.split(/\s+/);
  return words.slice(1, words.indexOf('dist/src/main.js')).filter((word) => word.startsWith('--'));
}

/** A child process of the benchmark (stub, proxy or service), killed at the end. */
export interface Child {
  name: string;
  pid: number;
  process: ChildProcess;
  stop(): Promise<void>;
}

const children = new Set<Child>();

const others = new Set<() => Promise<void>>();

/** Something else to stop with the children (a private Redis). */
export function stopWithAll(stop: () => Promise<void>): void {
  others.add(stop);
}

/** Stops every child still running and whatever was registered (on exit, also after a failure). */
export async function stopAll(): Promise<void> {
  await Promise.all([...children].map((child) => child.stop()));
  const pending = [...others];
  others.clear();
  await Promise.all(pending.map((stop) => stop().catch(() => undefined)));
}

/**
 * Spawns `node <args>`. `printsUrl`: resolves with the first stdout line (the child's URL);
 * otherwise stdout goes to `logFile` (or nowhere) and the caller polls for readiness.
 */
export async function spawnNode(
  name: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  options: { printsUrl?: boolean; logFile?: string } = {},
): Promise<{ child: Child; url?: string }> {
  const out = options.logFile ? openSync(options.logFile, 'w') : 'ignore';
  const proc = spawn(process.execPath, args, {
    env: { PATH: process.env.PATH ?? '', ...env },
    // The IPC channel closes when the benchmark dies, however it dies: the stub and the proxy exit then.
    stdio: ['ignore', options.printsUrl ? 'pipe' : out, 'pipe', 'ipc'],
  });
  if (typeof out === 'number') closeSync(out);
  let stderr = '';
  proc.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr = (stderr + chunk).slice(-8000)));
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  const child: Child = {
    name,
    pid: proc.pid ?? 0,
    process: proc,
    async stop() {
      children.delete(child);
      if (proc.exitCode === null && proc.signalCode === null) {
        proc.kill('SIGTERM');
        const timer = setTimeout(() => proc.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(timer);
      }
    },
  };
  children.add(child);
  if (!options.printsUrl) return { child };
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not start: ${stderr}`)), 20_000);
    proc.once('exit', () => reject(new Error(`${name} exited: ${stderr}`)));
    createInterface({ input: proc.stdout! }).once('line', (line) => {
      clearTimeout(timer);
      resolve(line.trim());
    });
  });
  return { child, url };
}

export async function waitFor(url: string, ok: (status: number) => boolean, deadlineMs = 30_000): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    const status = await fetch(url).then(
      (r) => r.status,
      () => 0,
    );
    if (ok(status)) return;
    if (Date.now() > deadline) throw new Error(`${url} did not become ready (last status ${status})`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Resident set size of a process, in MB (Linux /proc). */
export function rssMb(pid: number): number {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

/** CPU time (user + system) a process has used so far, in milliseconds (Linux /proc). */
export function cpuMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime are fields 14 and 15 of the whole line, in clock ticks (100 per second).
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return NaN;
  }
}

export interface Load {
  url: string;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  /** Per-request path, e.g. a random session id each time. */
  path?: () => string;
  /** Several requests in turn on each connection (mixed load). */
  requests?: Array<{ method: 'GET' | 'POST'; path: string | (() => string); body?: string }>;
}

export interface Measured {
  rps: number;
  p50_ms: number;
  p99_ms: number;
  peak_rss_mb: number;
  /** CPU time the measured process spent per answered request (less sensitive to a noisy machine than req/s). */
  cpu_us_per_req: number;
  requests: number;
  non_2xx: number;
  errors: number;
  connections: number;
  duration_s: number;
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index]!;
}

const round = (value: number, digits = 2) => Math.round(value * 10 ** digits) / 10 ** digits;

/**
 * Drives `load` with autocannon for `durationS` at `connections`, sampling the RSS of `pid` every
 * 100 ms. Latencies are taken from every response with sub-millisecond resolution (autocannon's
 * own histogram counts whole milliseconds, too coarse for a stub answering in 0.2 ms).
 */
export async function measure(
  load: Load,
  options: { connections: number; durationS: number; pid: number },
): Promise<Measured> {
  const latencies: number[] = [];
  let peak = rssMb(options.pid);
  const cpuBefore = cpuMs(options.pid);
  const sampler = setInterval(() => (peak = Math.max(peak, rssMb(options.pid))), 100);
  const requests = load.requests?.map((r) => ({
    method: r.method,
    ...(r.body !== undefined ? { body: r.body } : {}),
    setupRequest: (request: { path: string }) => {
      request.path = typeof r.path === 'string' ? r.path : r.path();
      return request;
    },
  }));
  const pathFn = load.path;
  const instance = autocannon({
    url: load.url,
    connections: options.connections,
    duration: options.durationS,
    method: load.method ?? 'GET',
    ...(load.headers ? { headers: load.headers } : {}),
    ...(load.body !== undefined ? { body: load.body } : {}),
    ...(requests
      ? { requests }
      : pathFn
        ? { requests: [{ setupRequest: (request: { path: string }) => ((request.path = pathFn()), request) }] }
        : {}),
  } as autocannon.Options) as unknown as Promise<autocannon.Result> & NodeJS.EventEmitter;
  instance.on('response', (_client: unknown, statusCode: number, _bytes: number, responseTime: number) => {
    if (statusCode >= 200 && statusCode < 300) latencies.push(responseTime);
  });
  const result = await instance;
  clearInterval(sampler);
  const cpuUsed = cpuMs(options.pid) - cpuBefore;
  peak = Math.max(peak, rssMb(options.pid));
  const sorted = Float64Array.from(latencies).sort();
  const elapsedS = result.duration || options.durationS;
  return {
    rps: round(result.requests.total / elapsedS, 0),
    p50_ms: round(percentile(sorted, 50)),
    p99_ms: round(percentile(sorted, 99)),
    peak_rss_mb: round(peak, 1),
    cpu_us_per_req: Math.round((cpuUsed * 1000) / Math.max(1, result.requests.total)),
    requests: result.requests.total,
    non_2xx: result.non2xx,
    errors: result.errors + result.timeouts,
    connections: options.connections,
    duration_s: options.durationS,
  };
}

/** A short run whose numbers are thrown away: JIT, connection pools and caches warm up. */
export async function warmUp(
  load: Load,
  options: { connections: number; durationS: number; pid: number },
): Promise<void> {
  await measure(load, options);
}
