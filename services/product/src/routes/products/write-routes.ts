import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { createProduct } from '../../domain/create-product';
import { deleteProduct } from '../../domain/delete-product';
import { updateProduct } from '../../domain/update-product';
import { NoContent, problems, writeAudit } from '@platform/kit';
import {
  ConditionalWriteHeaders,
  CreateProductBody,
  ProductIdParams,
  ProductResponse,
  UpdateProductBody,
} from '../../schemas/products';
import { expectedVersions, productETag } from './http-cache';
import { presentProduct } from './present';

const tags = ['products'];
const security = [{ bearerAuth: [] }];

function audit(request: FastifyRequest, action: string, targetId: string): void {
  writeAudit(request.log, { action, outcome: 'success', actorId: request.principal?.userId, targetId });
}

/** Catalogue administration: admins only. PATCH and DELETE honour If-Match (412 when the product moved on). */
export async function productWriteRoutes(app: FastifyInstance): Promise<void> {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  const deps = { products: app.products, cache: app.productCache, metrics: app.productMetrics };
  const adminOnly = [app.authenticate, app.requireRole('admin')];

  api.post(
    '',
    {
      preHandler: adminOnly,
      schema: {
        tags,
        security,
        summary: 'Create a product (publishes product.created)',
        body: CreateProductBody,
        response: { 201: ProductResponse, ...problems(400, 401, 403, 409) },
      },
    },
    async function createProductRoute(request, reply) {
      const product = await createProduct({ ...request.body, description: request.body.description ?? '' }, deps);
      audit(request, 'product.create', product.id);
      reply.code(201).header('location', `/products/${product.id}`).header('etag', productETag(product));
      return presentProduct(product);
    },
  );

  api.patch(
    '/:id',
    {
      preHandler: adminOnly,
      schema: {
        tags,
        security,
        summary: 'Change a product (publishes product.updated); the sku cannot change',
        params: ProductIdParams,
        headers: ConditionalWriteHeaders,
        body: UpdateProductBody,
        response: { 200: ProductResponse, ...problems(400, 401, 403, 404, 409, 412) },
      },
    },
    async function updateProductRoute(request, reply) {
      const { id } = request.params;
      const expected = expectedVersions(request.headers['if-match'], id);
      const product = await updateProduct(id, request.body, expected, deps);
      audit(request, 'product.update', id);
      reply.header('etag', productETag(product));
      return presentProduct(product);
    },
  );

  api.delete(
    '/:id',
    {
      preHandler: adminOnly,
      schema: {
        tags,
        security,
        summary: 'Delete a product (soft delete; publishes product.deleted)',
        params: ProductIdParams,
        headers: ConditionalWriteHeaders,
        response: { 204: NoContent, ...problems(400, 401, 403, 404, 409, 412) },
      },
    },
    async function deleteProductRoute(request, reply) {
      const { id } = request.params;
      await deleteProduct(id, expectedVersions(request.headers['if-match'], id), deps);
      audit(request, 'product.delete', id);
      return reply.code(204).send(null);
    },
  );
}
