import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port';
import { waitForPort } from './redis-server';

export interface PrivateRedisCluster {
  /** `host:port,...` of the masters, as REDIS_CLUSTER_NODES takes it. */
  nodes: string;
  ports: number[];
  stop(): Promise<void>;
}

interface Server {
  process: ChildProcess;
  exited: Promise<void>;
}

function startServer(args: string[]): Server {
  const child = spawn('redis-server', args, { stdio: 'ignore' });
  return { process: child, exited: new Promise<void>((resolve) => child.once('exit', () => resolve())) };
}

async function stopServers(servers: Server[], dir: string): Promise<void> {
  await Promise.all(
    servers.map(async (server) => {
      if (server.process.exitCode === null && server.process.signalCode === null) server.process.kill('SIGTERM');
      await server.exited;
    }),
  );
  rmSync(dir, { recursive: true, force: true });
}

function cli(port: number, ...args: string[]): string {
  const result = spawnSync('redis-cli', ['-h', '127.0.0.1', '-p', String(port), ...args], {
    encoding: 'utf8',
    timeout: 10_000,
  });
  return `${result.stdout ?? ''}${result.stderr ?? ''}`;
}

/**
 * A throw-away Redis Cluster of `masters` masters (no replicas) on free loopback ports, keeping
 * nothing but its node files in a temporary directory: `redis-server --cluster-enabled yes` per
 * node (the cluster bus on a port of its own, `cluster-port`), then `redis-cli --cluster create`,
 * then waits until every node reports `cluster_state:ok` and knows all slots.
 */
export async function startRedisCluster(options: { masters?: number } = {}): Promise<PrivateRedisCluster> {
  const count = options.masters ?? 3;
  const dir = mkdtempSync(join(tmpdir(), 'redis-cluster-'));
  const servers: Server[] = [];
  const ports: number[] = [];
  try {
    for (let i = 0; i < count; i++) {
      const [port, busPort] = [await freePort(), await freePort()];
      ports.push(port);
      servers.push(
        startServer([
          '--port',
          String(port),
          '--cluster-port',
          String(busPort),
          '--bind',
          '127.0.0.1',
          '--cluster-enabled',
          'yes',
          '--cluster-config-file',
          `nodes-${port}.conf`,
          '--cluster-node-timeout',
          '5000',
          '--dir',
          dir,
          '--save',
          '',
          '--appendonly',
          'no',
          '--daemonize',
          'no',
          '--loglevel',
          'warning',
        ]),
      );
    }
    await Promise.all(ports.map((port) => waitForPort(port, 5000)));
    const created = spawnSync(
      'redis-cli',
      ['--cluster', 'create', ...ports.map((port) => `127.0.0.1:${port}`), '--cluster-replicas', '0', '--cluster-yes'],
      {
        encoding: 'utf8',
        timeout: 30_000,
      },
    );
    if (created.status !== 0) throw new Error(`redis-cli --cluster create failed: ${created.stdout}${created.stderr}`);
    const deadline = Date.now() + 20_000;
    for (;;) {
      const ok = ports.every((port) => {
        const info = cli(port, 'cluster', 'info');
        return (
          info.includes('cluster_state:ok') &&
          info.includes('cluster_slots_ok:16384') &&
          info.includes(`cluster_known_nodes:${count}`)
        );
      });
      if (ok) break;
      if (Date.now() > deadline) throw new Error(`the cluster did not become ok: ${cli(ports[0]!, 'cluster', 'info')}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  } catch (error) {
    await stopServers(servers, dir);
    throw error;
  }
  return {
    nodes: ports.map((port) => `127.0.0.1:${port}`).join(','),
    ports,
    stop: () => stopServers(servers, dir),
  };
}

export interface PrivateRedisSentinel {
  /** `host:port` of the Sentinel, as REDIS_SENTINELS takes it. */
  sentinels: string;
  /** The master group's name, as REDIS_SENTINEL_NAME takes it. */
  name: string;
  stop(): Promise<void>;
}

/**
 * One Sentinel watching the given master (quorum 1) on a free loopback port; its configuration
 * file (Sentinel rewrites it) lives in a temporary directory. Resolves once it answers
 * `SENTINEL get-master-addr-by-name` with the master.
 */
export async function startRedisSentinel(masterPort: number, name = 'gc-master'): Promise<PrivateRedisSentinel> {
  const dir = mkdtempSync(join(tmpdir(), 'redis-sentinel-'));
  const port = await freePort();
  const config = join(dir, 'sentinel.conf');
  writeFileSync(
    config,
    [
      `port ${port}`,
      'bind 127.0.0.1',
      `dir ${dir}`,
      `sentinel monitor ${name} 127.0.0.1 ${masterPort} 1`,
      `sentinel down-after-milliseconds ${name} 5000`,
      '',
    ].join('\n'),
  );
  const server = startServer([config, '--sentinel', '--loglevel', 'warning']);
  try {
    await waitForPort(port, 5000);
    const deadline = Date.now() + 10_000;
    while (!cli(port, 'sentinel', 'get-master-addr-by-name', name).includes(String(masterPort))) {
      if (Date.now() > deadline) throw new Error('the Sentinel did not report its master');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  } catch (error) {
    await stopServers([server], dir);
    throw error;
  }
  return { sentinels: `127.0.0.1:${port}`, name, stop: () => stopServers([server], dir) };
}
