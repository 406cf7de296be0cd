import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { checkServiceScopes, ScopeCheckError, serviceScopes } from '../../src/clients/ctp-scopes';
import { useEmulator } from './emulator-fixture';

/** The start-up scope check (src/main.ts) against the emulator, which grants a token the scopes requested. */
describe('start-up scope check', () => {
  const emu = useEmulator('startup-scopes');
  const input = (scopes: string[]) => ({
    authUrl: emu.url,
    projectKey: emu.projectKey,
    clientId: 'service',
    clientSecret: 'service-secret',
    scopes,
    timeoutMs: 10_000,
  });

  test("when the token has the service's scope set, then the check passes with nothing unneeded", async () => {
    const result = await checkServiceScopes(input(serviceScopes(emu.projectKey)));

    expect(result.unneeded).toEqual([]);
  });

  test('when the token has manage_project, then the check passes and reports it as unneeded', async () => {
    const result = await checkServiceScopes(input([`manage_project:${emu.projectKey}`]));

    expect(result.unneeded).toEqual([`manage_project:${emu.projectKey}`]);
  });

  test('when the token lacks manage_orders and view_project_settings, then the error names both', async () => {
    const scopes = serviceScopes(emu.projectKey).filter(
      (scope) => !/^(manage_orders|view_project_settings):/.test(scope),
    );

    const check = checkServiceScopes(input(scopes));

    await expect(check).rejects.toThrow(ScopeCheckError);
    await expect(check).rejects.toThrow(
      `lacks the scopes manage_orders:${emu.projectKey} view_project_settings:${emu.projectKey}`,
    );
  });

  test('when npm start meets a token without manage_orders, then it exits 1 before listening, naming the scope', () => {
    const scopes = serviceScopes(emu.projectKey).filter((scope) => !scope.startsWith('manage_orders:'));
    const env = {
      PATH: process.env.PATH ?? '',
      CTP_PROJECT_KEY: emu.projectKey,
      CTP_CLIENT_ID: 'service',
      CTP_CLIENT_SECRET: 'service-secret',
      CTP_AUTH_URL: emu.url,
      CTP_API_URL: emu.url,
      CTP_SCOPES: scopes.join(' '),
      // Nothing listens here: the check must refuse before the service would connect to Redis.
      REDIS_URL: 'redis://127.0.0.1:1',
      API_KEYS: 'pos:abcdefghijklmnop1234:sessions',
      IDEMPOTENCY_SECRET: 'service-scopes-test-secret-0123456789ab',
    };

    const result = spawnSync(process.execPath, ['--import', 'tsx', join(__dirname, '..', '..', 'src', 'main.ts')], {
      env,
      encoding: 'utf8',
      timeout: 30_000,
    });

    expect(result.status).toBe(1);
    expect(result.stderr).toContain(
      `commercetools scopes: the commercetools token lacks the scope manage_orders:${emu.projectKey}`,
    );
  });
});
