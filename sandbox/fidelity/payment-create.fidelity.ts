import type { CustomerReference, Payment, PaymentDraft } from '@commercetools/platform-sdk';
import { CtError, type FidelityLayer, type RepositoryContext } from './fidelity-layer';

/**
 * `POST /{projectKey}/payments`, "Create Payment". The mock drops the draft's `anonymousId` and
 * `customer` and accepts a taken `key`. commercetools:
 * - stores `anonymousId` and `customer` (the Payment is "associated" with the anonymous session or
 *   the Customer), and sign-in/sign-up with the anonymousId assigns it to the Customer
 *   (see anonymous-session.ts); an unknown customer answers 400 ReferencedResourceNotFound;
 * - `key` is a "user-defined unique identifier of the Payment": a taken key answers 400 DuplicateField.
 * https://docs.commercetools.com/api/projects/payments#ctp:api:type:PaymentDraft
 * https://docs.commercetools.com/api/errors#duplicatefield
 */
export function installPaymentCreateFidelity(layer: FidelityLayer): void {
  layer.override('POST', '/:projectKey/payments', async (request, reply, mockHandler) => {
    const draft = request.body as Partial<PaymentDraft> | undefined;
    if (draft?.anonymousId === undefined && draft?.customer === undefined && draft?.key === undefined)
      return mockHandler(request, reply);
    const context = layer.context(request);
    const project = layer.mock.project(context.projectKey);
    const payments = project.getRepository('payment');

    const payment = await layer.exclusive(context.projectKey, async (): Promise<Payment> => {
      const { key } = draft;
      if (key !== undefined && (await payments.getByKey(context, key))) {
        throw new CtError(400, {
          code: 'DuplicateField',
          message: `A duplicate value '"${key}"' exists for field 'key'.`,
          field: 'key',
          duplicateValue: key,
        });
      }
      const customer = draft.customer ? await referencedCustomer(layer, context, draft.customer) : undefined;
      const created = await payments.create(context, draft as PaymentDraft);
      // Part of the creation, not an update: stored as is, same version.
      const stored: Payment = { ...created, anonymousId: draft.anonymousId, customer };
      await project.unsafeAdd('payment', stored);
      return stored;
    });
    return reply.status(201).send(payment);
  });
}

async function referencedCustomer(
  layer: FidelityLayer,
  context: RepositoryContext,
  reference: { id?: string; key?: string },
): Promise<CustomerReference> {
  const customers = layer.customers(context.projectKey);
  const customer = reference.id
    ? await customers.get(context, reference.id)
    : reference.key
      ? await customers.getByKey(context, reference.key)
      : null;
  if (customer) return { typeId: 'customer', id: customer.id };
  throw new CtError(400, {
    code: 'ReferencedResourceNotFound',
    message: `The referenced object of type 'customer' ${reference.id ? `with id '${reference.id}'` : `with key '${reference.key}'`} was not found.`,
    typeId: 'customer',
    ...(reference.id ? { id: reference.id } : { key: reference.key }),
  });
}
