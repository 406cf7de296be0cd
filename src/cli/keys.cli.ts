import { parseArgs } from 'node:util';
import { RedisApiKeyStore } from '../clients/api-key.store';
import { buildCtpClient, CommercetoolsGateway } from '../clients/commercetools.client';
import { connectRedis } from '../clients/redis.client';
import { loadCommercetoolsSettings, loadRedisSettings } from '../config';
import { checkKeyStores, SCOPES, STORE_KEY, UnknownStoreError, type Scope } from '../domain/api-keys';

const USAGE = `Manage API keys kept in Redis (besides API_KEYS). Reads REDIS_URL (or REDIS_CLUSTER_NODES, or REDIS_SENTINELS
and REDIS_SENTINEL_NAME) and REDIS_KEY_PREFIX.
  npm run keys -- create --client-id <clientId> --scopes sessions+customers [--store <storeKey>]
    (scopes: sessions, customers, backoffice, admin; admin holds every scope)
    (--store binds the key to a commercetools Store, a till's; it must exist: reads the CTP_* variables)
  npm run keys -- list
  npm run keys -- revoke <keyId>
  npm run keys -- rotate <keyId>
The secret is printed once, at create and rotate; only its digest is stored.
Revocation reaches every instance within 2 seconds.`;

class UsageError extends Error {}

function scopesFrom(raw: string | undefined): Scope[] {
  const scopes = (raw ?? '').split('+').filter(Boolean);
  if (scopes.length === 0 || scopes.some((s) => !(SCOPES as readonly string[]).includes(s))) {
    throw new UsageError(`--scopes takes ${SCOPES.join(', ')} joined by +`);
  }
  return scopes as Scope[];
}

/** Asks commercetools (the CTP_* variables) whether the Store exists. */
async function storeExistsFromEnv(env: NodeJS.ProcessEnv, storeKey: string): Promise<boolean> {
  let ctp;
  try {
    ctp = loadCommercetoolsSettings(env);
  } catch (error) {
    throw new UsageError(`--store needs the commercetools variables: ${(error as Error).message}`);
  }
  const gateway = new CommercetoolsGateway(buildCtpClient({ ...ctp, correlationId: () => 'keys-cli' }), ctp.projectKey);
  return (await gateway.getStoreByKey(storeKey)) !== null;
}

export interface KeysCliOptions {
  /** Whether a Store exists; by default asks commercetools with the CTP_* variables. */
  storeExists?: (storeKey: string) => Promise<boolean>;
}

export async function runKeysCli(
  argv: string[],
  env: NodeJS.ProcessEnv,
  out: (line: string) => void,
  options: KeysCliOptions = {},
): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      'client-id': { type: 'string' },
      scopes: { type: 'string' },
      store: { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  const [command, id] = positionals;
  if (values.help || !command) {
    out(USAGE);
    return command ? 0 : 2;
  }
  let settings;
  try {
    settings = loadRedisSettings(env);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const redis = await connectRedis(settings);
  const store = new RedisApiKeyStore(redis, settings.keyPrefix);
  try {
    switch (command) {
      case 'create': {
        const clientId = values['client-id'];
        if (!clientId || !/^[A-Za-z0-9._-]{1,64}$/.test(clientId))
          throw new UsageError('--client-id is required (letters, digits, . _ -)');
        const scopes = scopesFrom(values.scopes);
        const storeKey = values.store;
        if (storeKey !== undefined) {
          if (!STORE_KEY.test(storeKey)) throw new UsageError(`--store must match ${STORE_KEY.source}`);
          const storeExists = options.storeExists ?? ((key: string) => storeExistsFromEnv(env, key));
          try {
            await checkKeyStores([{ clientId, scopes: new Set(scopes), storeKey }], storeExists);
          } catch (error) {
            if (error instanceof UnknownStoreError) throw new UsageError(`--store: ${error.message}`);
            throw error;
          }
        }
        const { key, secret } = await store.create(clientId, scopes, storeKey);
        out(JSON.stringify({ ...key, secret }));
        return 0;
      }
      case 'list':
        for (const key of await store.list()) out(JSON.stringify(key));
        return 0;
      case 'revoke':
        if (!id) throw new UsageError('revoke needs a key id (see list)');
        if (!(await store.revoke(id))) throw new UsageError(`no key with id ${id}`);
        out(JSON.stringify({ revoked: id }));
        return 0;
      case 'rotate': {
        if (!id) throw new UsageError('rotate needs a key id (see list)');
        const rotated = await store.rotate(id);
        if (!rotated) throw new UsageError(`no key with id ${id}`);
        out(JSON.stringify({ ...rotated.key, secret: rotated.secret, replaces: id }));
        return 0;
      }
      default:
        throw new UsageError(`unknown command ${command}\n${USAGE}`);
    }
  } finally {
    redis.disconnect();
  }
}

if (require.main === module) {
  runKeysCli(process.argv.slice(2), process.env, (line) => process.stdout.write(`${line}\n`)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`${(error as Error).message}\n`);
      process.exit(error instanceof UsageError ? 2 : 1);
    },
  );
}
