import { CommercetoolsMock } from '@labdigital/commercetools-mock';
import pino from 'pino';
import { installFidelity } from './fidelity';

export interface EmulatorOptions {
  /** 0 (the default) takes a free port. */
  port?: number;
  /** Interface to listen on; 127.0.0.1 by default. */
  host?: string;
  /** false logs every request as JSON lines to stderr (stdout stays free for emulator.main's event line). */
  silent?: boolean;
}

export interface Emulator {
  /** Base URL serving both OAuth (`/oauth/token`) and the API (`/{projectKey}/...`). */
  url: string;
  mock: CommercetoolsMock;
  close(): Promise<void>;
}

/**
 * Starts a commercetools emulator: @labdigital/commercetools-mock plus our fidelity layer, over HTTP.
 * Any project key works (the mock creates projects on first use). OAuth accepts any client
 * credentials and grants the scopes requested; a request without a token passes
 * (`validateCredentials: false`), but a request with a token the emulator issued must hold the
 * scope the API reference names for its endpoint (fidelity/token-scope.fidelity.ts), and the
 * token's client is recorded as createdBy/lastModifiedBy.
 */
export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const host = options.host ?? '127.0.0.1';
  const silent = options.silent ?? true;
  const mock = new CommercetoolsMock({
    enableAuthentication: true,
    validateCredentials: false,
    // Drafts are validated against their schemas as the real API does (see strict-draft.fidelity.ts).
    strict: true,
    silent,
    logger: silent ? undefined : pino({ level: 'info' }, pino.destination(2)),
  });
  installFidelity(mock);
  await mock.app.listen({ port: options.port ?? 0, host });

  const address = mock.app.server.address();
  if (address === null || typeof address === 'string')
    throw new Error(`emulator did not bind a TCP port: ${String(address)}`);
  return {
    url: `http://${reachableHost(host)}:${address.port}`,
    mock,
    close: () => mock.app.close(),
  };
}

/** A wildcard address is not a destination; a local client reaches it over loopback. */
function reachableHost(host: string): string {
  if (host === '0.0.0.0' || host === '::') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}
