import type { RequestHandler } from 'express';
import type { ApiKeyResolver } from '../../domain/api-key.resolver';
import type { Caller, Scope } from '../../domain/api-keys';
import { DomainError } from '../../domain/errors';

const BEARER = /^Bearer\s+(\S{1,512})\s*$/i;

/**
 * Resolves `Authorization: Bearer <secret>` to a caller. Keys are compared by digest, so the
 * lookup time does not depend on how much of a guessed secret is right.
 */
export function authenticate(keys: ApiKeyResolver): RequestHandler {
  return async (req, res, next) => {
    const match = BEARER.exec(req.headers.authorization ?? '');
    const caller = match?.[1] ? await keys.resolve(match[1]) : null;
    if (!caller) {
      res.setHeader('WWW-Authenticate', 'Bearer');
      throw new DomainError('Unauthorized', 'Send a valid API key as Authorization: Bearer <key>.');
    }
    res.locals.caller = caller;
    res.locals.clientId = caller.clientId;
    next();
  };
}

/** `admin` holds every scope. */
export function requireScope(scope: Scope): RequestHandler {
  return (_req, res, next) => {
    const caller = res.locals.caller as Caller;
    if (!caller.scopes.has(scope) && !caller.scopes.has('admin')) {
      throw new DomainError('Forbidden', `This API key lacks the '${scope}' scope.`);
    }
    next();
  };
}
