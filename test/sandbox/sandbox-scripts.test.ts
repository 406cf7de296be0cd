import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const tsx = (script: string) => [process.execPath, ['--import', 'tsx', join(ROOT, 'sandbox', script)]] as const;
// The scripts start their own private Redis and emulator, as on a fresh machine.
const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', PORT: '0', LOG_LEVEL: 'warn' };

describe('sandbox scripts', () => {
  test('when npm run demo runs, then every walkthrough step succeeds and it exits 0', () => {
    const [node, args] = tsx('demo.ts');
    const result = spawnSync(node, args, { cwd: ROOT, env, encoding: 'utf8', timeout: 60_000 });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('Redeem a voucher');
    expect(result.stdout).toMatch(/Record the payment \(Charge, Success\)\n.* -> 201/);
    expect(result.stdout).toContain('orderState=Confirmed paymentState=Paid');
    expect(result.stdout).toContain('The payment now belongs to the customer');
    expect(result.stdout).toContain('The ended session refuses a new cart');
    expect(result.stdout).toContain('SessionEnded');
    expect(result.stdout).toContain('Guest checkout walkthrough complete.');
  }, 70_000);

  test('when npm run dev runs, then it prints a URL and key that answer, and stops on SIGTERM', async () => {
    const [node, args] = tsx('dev.ts');
    const child = spawn(node, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    let output = '';
    const banner = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no banner: ${output}`)), 30_000);
      child.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        if (/Demo API key:.*\n/.test(output)) {
          clearTimeout(timer);
          resolve(output);
        }
      });
    });
    const url = /running at (http:\/\/\S+)/.exec(banner)?.[1];
    const key = /Demo API key:\s+(\S+)/.exec(banner)?.[1];
    expect(url).toBeDefined();
    const response = await fetch(`${url}/v1/sessions`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' },
      body: '{}',
    });
    expect(response.status).toBe(201);
    expect((await fetch(`${url}/readyz`)).status).toBe(200);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  }, 60_000);

  test('when Redis is neither configured nor installed, then dev stops with a message saying how to get it', () => {
    const [node, args] = tsx('dev.ts');
    const result = spawnSync(node, args, {
      cwd: ROOT,
      env: { ...env, PATH: '/nonexistent' },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/needs Redis.*REDIS_URL.*redis-server/);
  });
});
