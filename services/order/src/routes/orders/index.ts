import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AuthErrors, writeAudit } from '@platform/kit';
import { cancelOrder } from '../../domain/cancel-order';
import { getOrder } from '../../domain/get-order';
import { listOrders } from '../../domain/list-orders';
import type { Actor } from '../../domain/order';
import { toOrderView } from '../../domain/order-view';
import { placeOrder } from '../../domain/place-order';
import { cancelOrderSchema, getOrderSchema, listOrdersSchema, placeOrderSchema } from '../../schemas/orders';

function actorOf(request: FastifyRequest): Actor {
  // Set by app.authenticate, which every route here runs first.
  if (!request.principal) throw AuthErrors.Unauthenticated();
  return { userId: request.principal.userId, role: request.principal.role };
}

/** Thin HTTP adapters over the use cases in src/domain. */
export async function orderRoutes(app: FastifyInstance): Promise<void> {
  const routes = app.withTypeProvider<TypeBoxTypeProvider>();
  const { orderRepository: orders, idempotencyKeys: keys, orderMetrics: metrics, productClient, sagaAdmission } = app;

  routes.post(
    '/',
    { schema: placeOrderSchema, preHandler: app.authenticate },
    async function placeOrderRoute(request, reply) {
      const actor = actorOf(request);
      sagaAdmission.admit();
      const { response, replayed } = await placeOrder(
        { userId: actor.userId, idempotencyKey: request.headers['idempotency-key'], ...request.body },
        { orders, keys, metrics, findProducts: (ids) => productClient.findProducts(ids, { requestId: request.id }) },
      );
      if (replayed) {
        reply.header('idempotent-replayed', 'true');
      } else {
        writeAudit(request.log, {
          action: 'order.place',
          outcome: 'success',
          actorId: actor.userId,
          targetId: response.body.id,
        });
      }
      // Replayed as stored: placeOrder only ever stores its own 201 answers.
      return reply.code(response.statusCode as 201).send(response.body);
    },
  );

  routes.get('/', { schema: listOrdersSchema, preHandler: app.authenticate }, async function listOrdersRoute(request) {
    return listOrders(actorOf(request), request.query, orders);
  });

  routes.get('/:id', { schema: getOrderSchema, preHandler: app.authenticate }, async function getOrderRoute(request) {
    return toOrderView(await getOrder(actorOf(request), request.params.id, orders));
  });

  routes.post(
    '/:id/cancel',
    { schema: cancelOrderSchema, preHandler: app.authenticate },
    async function cancelOrderRoute(request) {
      const actor = actorOf(request);
      const order = await cancelOrder(actor, request.params.id, { orders, metrics });
      writeAudit(request.log, {
        action: 'order.cancel',
        outcome: 'success',
        actorId: actor.userId,
        targetId: order.id,
      });
      return toOrderView(order);
    },
  );
}
