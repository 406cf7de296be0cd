// First: refuses an unsupported Node.js before any other module loads.
import './node-version';
import { checkServiceScopes, ScopeCheckError } from './clients/ctp-scopes';
import { UnknownStoreError } from './domain/api-keys';
import { ConfigError, describeProblem, loadConfig } from './config';
import { createLogger } from './logger';
import { startService } from './server';

/** Production entry point: configuration from the environment only (`npm start` also reads .env). */
async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      const { problems } = error;
      process.stderr.write(
        problems.length === 1
          ? `Invalid configuration: ${error.message}\n`
          : `Invalid configuration (${problems.length} problems):\n${problems
              .map((problem) => `  - ${describeProblem(problem)}`)
              .join('\n')}\n`,
      );
      process.exit(1);
    }
    throw error;
  }
  const logger = createLogger(config.logLevel);
  // Before listening: a token without the scopes the service needs is named now, not as 403s later.
  try {
    const { unneeded } = await checkServiceScopes(config.commercetools);
    if (unneeded.length > 0)
      logger.warn({ unneeded }, 'the commercetools token has scopes the service does not need; narrow the API client');
  } catch (error) {
    if (error instanceof ScopeCheckError) {
      process.stderr.write(`commercetools scopes: ${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  let service;
  try {
    service = await startService(config, logger);
  } catch (error) {
    if (error instanceof UnknownStoreError) {
      process.stderr.write(`API_KEYS: ${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  logger.info({ url: service.url, projectKey: config.commercetools.projectKey }, 'service listening');
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      logger.info({ signal }, 'shutting down');
      service.stop().then(
        () => process.exit(0),
        () => process.exit(1),
      );
    });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`Failed to start: ${(error as Error).message}\n`);
  process.exit(1);
});
