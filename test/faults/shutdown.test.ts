import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { freePort } from '../../sandbox/free-port';
import { serviceEnv, KEYS, uniqueName } from '../support/harness';
import { startRecordingProxy, type FaultRule, type RecordingProxy } from '../support/recording-proxy';
import { waitFor } from '../support/wait';

describe('when the service gets SIGTERM', () => {
  let proxy: RecordingProxy;
  beforeAll(async () => {
    proxy = await startRecordingProxy(process.env.TEST_CT_URL ?? '');
  });
  afterAll(() => proxy.close());

  test('then it stops accepting, finishes the in-flight request, closes Redis and exits 0', async () => {
    const port = await freePort();
    const projectKey = uniqueName('shutdown');
    const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, '..', '..', 'src', 'main.ts')], {
      env: serviceEnv(projectKey, proxy.url, {
        PATH: process.env.PATH ?? '',
        REDIS_URL: process.env.TEST_REDIS_URL ?? '',
        REDIS_KEY_PREFIX: `${projectKey}:`,
        PORT: String(port),
        LOG_LEVEL: 'silent',
        SHUTDOWN_GRACE_MS: '5000',
      }),
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const url = `http://127.0.0.1:${port}`;
    const mint = () =>
      fetch(`${url}/v1/sessions`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${KEYS.a}`, 'Content-Type': 'application/json' },
        body: '{}',
      });

    const answers = () =>
      fetch(`${url}/healthz`).then(
        (r) => r.ok,
        () => false,
      );
    await waitFor(answers, { timeoutMs: 20_000, intervalMs: 100, what: 'the service to start' }).catch(
      (error: Error) => {
        throw new Error(`${error.message}: ${stderr}`);
      },
    );

    // The uniqueness check of this mint is held up upstream while SIGTERM arrives.
    const held: FaultRule = {
      match: (call) => call.method === 'GET' && call.path.endsWith('/carts'),
      fault: { kind: 'delay', ms: 1000 },
      times: 1,
    };
    proxy.faults.push(held);
    const inFlight = mint();
    await waitFor(() => held.times === 0, { what: 'the mint to be held upstream' });
    child.kill('SIGTERM');
    await waitFor(async () => !(await answers()), { what: 'the server to stop accepting' });
    const refused = await mint().then(
      (r) => r.status,
      (error: Error) => error.name,
    );
    expect(refused).toBe('TypeError'); // connection refused: no longer accepting

    const response = await inFlight;
    expect(response.status).toBe(201);
    const stoppedAt = Date.now();
    expect(await exited).toBe(0);
    // Well before the 5 s grace period: nothing was left waiting.
    expect(Date.now() - stoppedAt).toBeLessThan(2000);
    expect(stderr).toBe('');
  }, 40_000);
});
