import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Product } from '../../domain/product';
import { getProduct, listProducts } from '../../domain/read-products';
import { NoContent, problems } from '@platform/kit';
import {
  ConditionalReadHeaders,
  ListProductsQuery,
  ProductIdParams,
  ProductPageResponse,
  ProductResponse,
  SkuParams,
} from '../../schemas/products';
import { catalogueCacheControl, isNotModified, productETag, representationETag } from './http-cache';
import { presentProduct } from './present';
import type { ProductRoutesOptions } from './index';

const tags = ['products'];
const singleProductResponses = { 200: ProductResponse, 304: NoContent, ...problems(400, 404) };

/** One product with its ETag, or a bodiless 304 when the client's If-None-Match still matches it. */
function answerWithProduct(product: Product, request: FastifyRequest, reply: FastifyReply) {
  const etag = productETag(product);
  reply.header('etag', etag);
  if (isNotModified(request.headers['if-none-match'], etag)) return reply.code(304).send();
  return presentProduct(product);
}

/** Public reads: no token needed. Every answer carries an ETag; a matching If-None-Match gets a bodiless 304. */
export async function productReadRoutes(app: FastifyInstance, options: ProductRoutesOptions): Promise<void> {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  const deps = { products: app.products, cache: app.productCache };
  const cacheControl = catalogueCacheControl(options.sharedCacheMaxAgeSeconds);
  // Every read answer, 304 included; errors carry none and are not stored.
  app.addHook('onSend', async function markCacheable(_request, reply) {
    if (reply.statusCode === 200 || reply.statusCode === 304) reply.header('cache-control', cacheControl);
  });

  api.get(
    '',
    {
      schema: {
        tags,
        summary: 'List products: filters, sort and cursor pagination',
        querystring: ListProductsQuery,
        headers: ConditionalReadHeaders,
        response: { 200: ProductPageResponse, 304: NoContent, ...problems(400) },
      },
    },
    async function listProductsRoute(request, reply) {
      const page = await listProducts(request.query, deps);
      const body = { items: page.items.map(presentProduct), nextCursor: page.nextCursor };
      const etag = representationETag(body);
      reply.header('etag', etag);
      if (isNotModified(request.headers['if-none-match'], etag)) return reply.code(304).send();
      return body;
    },
  );

  api.get(
    '/:id',
    {
      schema: {
        tags,
        summary: 'Get a product by id (the order service reads prices here)',
        params: ProductIdParams,
        headers: ConditionalReadHeaders,
        response: singleProductResponses,
      },
    },
    async function getProductRoute(request, reply) {
      return answerWithProduct(await getProduct({ by: 'id', id: request.params.id }, deps), request, reply);
    },
  );

  api.get(
    '/sku/:sku',
    {
      schema: {
        tags,
        summary: 'Get a product by sku',
        params: SkuParams,
        headers: ConditionalReadHeaders,
        response: singleProductResponses,
      },
    },
    async function getProductBySkuRoute(request, reply) {
      return answerWithProduct(await getProduct({ by: 'sku', sku: request.params.sku }, deps), request, reply);
    },
  );
}
