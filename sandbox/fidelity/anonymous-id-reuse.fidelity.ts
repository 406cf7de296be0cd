import { CtError } from './fidelity-layer';

/**
 * commercetools ends an anonymous session when a Customer signs in or up with its anonymousId: the
 * session's resources move to the Customer, and the id cannot start another session. Signing in or
 * up again, or creating a Cart, with that anonymousId answers 400 InvalidOperation
 * "The anonymousId '…' was already used for sign-in or sign-up." The mock does not track this.
 * https://docs.commercetools.com/api/authorization#tokens-for-anonymous-sessions
 * https://docs.commercetools.com/tutorials/anonymous-session#identifier-for-anonymous-sessions
 * The gateway recognises this answer as AnonymousIdUsedUp (isAnonymousIdUsedUp in
 * src/clients/commercetools.client.ts; test/emulator/upstream-errors.test.ts): keep the two in step.
 */
export class UsedAnonymousIds {
  private readonly byProject = new Map<string, Set<string>>();

  assertUnused(projectKey: string, anonymousId: string | undefined): void {
    if (anonymousId !== undefined && this.byProject.get(projectKey)?.has(anonymousId)) {
      throw new CtError(400, {
        code: 'InvalidOperation',
        message: `The anonymousId '${anonymousId}' was already used for sign-in or sign-up.`,
      });
    }
  }

  markUsed(projectKey: string, anonymousId: string | undefined): void {
    if (anonymousId === undefined) return;
    const used = this.byProject.get(projectKey) ?? new Set<string>();
    used.add(anonymousId);
    this.byProject.set(projectKey, used);
  }
}
