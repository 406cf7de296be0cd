import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';

interface RequestContext {
  correlationId: string;
}

/** Carries the request's correlation id to the commercetools client without threading it through the domain. */
export const requestContext = new AsyncLocalStorage<RequestContext>();

export function currentCorrelationId(): string {
  return requestContext.getStore()?.correlationId ?? randomUUID();
}
