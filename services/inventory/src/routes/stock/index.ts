import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Static } from 'typebox';
import { writeAudit } from '@platform/kit';
import type { StockRecord } from '../../domain/ports';
import { adjustStock, getStock, restock } from '../../domain/stock';
import { adjustSchema, getStockSchema, restockSchema, type StockView } from '../../schemas/stock';

function toView({ sku, productId, available, reserved }: StockRecord): Static<typeof StockView> {
  return { sku, productId, available, reserved };
}

function actorId(request: FastifyRequest): string {
  // Only reached behind app.authenticate, which always sets the principal.
  return request.principal?.userId ?? 'unknown';
}

export async function stockRoutes(fastify: FastifyInstance): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const deps = { stock: app.repositories.stock };
  const adminOnly = [app.authenticate, app.requireRole('admin')];

  app.get('/:sku', { schema: getStockSchema, preHandler: app.authenticate }, async function getStockHandler(request) {
    return toView(await getStock(request.params.sku, deps));
  });

  app.post('/:sku/restock', { schema: restockSchema, preHandler: adminOnly }, async function restockHandler(request) {
    const { sku } = request.params;
    const { quantity } = request.body;
    const stock = await restock(sku, quantity, deps);
    writeAudit(request.log, {
      action: 'stock.restock',
      outcome: 'success',
      actorId: actorId(request),
      targetId: sku,
      quantity,
      available: stock.available,
    });
    return toView(stock);
  });

  app.post('/:sku/adjust', { schema: adjustSchema, preHandler: adminOnly }, async function adjustHandler(request) {
    const { sku } = request.params;
    const { delta, reason } = request.body;
    const stock = await adjustStock(sku, delta, deps);
    writeAudit(request.log, {
      action: 'stock.adjust',
      outcome: 'success',
      actorId: actorId(request),
      targetId: sku,
      delta,
      reason,
      available: stock.available,
    });
    return toView(stock);
  });
}
