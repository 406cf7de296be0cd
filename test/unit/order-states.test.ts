import type { Order } from '@commercetools/platform-sdk';
import { BackofficeService } from '../../src/domain/backoffice.service';
import { DomainError } from '../../src/domain/errors';
import type { SessionIndex } from '../../src/domain/ports';
import { createDomain, POS } from '../support/fakes';

/** The listing is not under test here; the order routes never touch it. */
const unusedIndex: SessionIndex = { listByClient: () => Promise.reject(new Error('not used')) };

/** A domain with one order of a POS session, and the back office on it. */
async function withOrder() {
  const domain = createDomain();
  const session = await domain.sessions.start(POS);
  const cart = await domain.carts.createCart(POS, session.anonymousId, {
    currency: 'EUR',
    shippingAddress: { country: 'DE' },
  });
  const order = await domain.carts.order(POS, cart.id, { orderNumber: 'UNIT-1' });
  const backoffice = new BackofficeService(unusedIndex, domain.carts, domain.commerce);
  return { ...domain, order, backoffice };
}

/** Someone else's change to the order, one version further, made just before the service's update lands. */
function changeElsewhere(orders: Map<string, Order>, id: string, change: Partial<Order>): void {
  const current = orders.get(id)!;
  orders.set(id, { ...current, ...change, version: current.version + 1 });
}

describe('order states in the back office (BackofficeService)', () => {
  test('when the order changes between the read and the update and no version was given, then the change is applied to the re-read order', async () => {
    const { backoffice, commerce, order } = await withOrder();
    commerce.interceptNext('updateOrder', async (proceed) => {
      changeElsewhere(commerce.orders, order.id, { paymentState: 'Pending' });
      return proceed();
    });

    const updated = await backoffice.changeOrderStates(POS, order.id, { shipmentState: 'Ready' });

    expect(updated).toMatchObject({ shipmentState: 'Ready', paymentState: 'Pending', version: order.version + 2 });
  });

  test('when the order is shipped between the read and the cancel, then the re-read refuses the cancel', async () => {
    const { backoffice, commerce, order } = await withOrder();
    commerce.interceptNext('updateOrder', async (proceed) => {
      changeElsewhere(commerce.orders, order.id, { shipmentState: 'Shipped' });
      return proceed();
    });

    const cancelling = backoffice.cancelOrder(POS, order.id);

    await expect(cancelling).rejects.toMatchObject({ code: 'OrderNotCancellable' });
    expect(commerce.orders.get(order.id)?.orderState).toBe('Open');
  });

  test("when a version is given and the order has moved on, then it is the caller's conflict with the current version", async () => {
    const { backoffice, commerce, order } = await withOrder();
    changeElsewhere(commerce.orders, order.id, { paymentState: 'Pending' });

    const changing = backoffice.changeOrderStates(POS, order.id, { paymentState: 'Paid' }, order.version);

    await expect(changing).rejects.toBeInstanceOf(DomainError);
    await expect(changing).rejects.toMatchObject({
      code: 'ConcurrentModification',
      extensions: { currentVersion: order.version + 1 },
    });
  });

  test('when an order is looked up by number by another client, then it is not among the results', async () => {
    const { backoffice } = await withOrder();

    const found = await backoffice.findOrders({ clientId: 'other', scopes: new Set(['backoffice']) }, 'UNIT-1');

    expect(found).toEqual({ results: [] });
  });
});
