import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Static } from 'typebox';
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
    const audit = { action: 'stock.restock', actorId: actorId(request), targetId: sku, outcome: 'success' };
    request.log.info({ audit, quantity, available: stock.available }, 'stock.restock');
    return toView(stock);
  });

  app.post('/:sku/adjust', { schema: adjustSchema, preHandler: adminOnly }, async function adjustHandler(request) {
    const { sku } = request.params;
    const { delta, reason } = request.body;
    const stock = await adjustStock(sku, delta, deps);
    const audit = { action: 'stock.adjust', actorId: actorId(request), targetId: sku, outcome: 'success' };
    request.log.info({ audit, delta, reason, available: stock.available }, 'stock.adjust');
    return toView(stock);
  });
}
