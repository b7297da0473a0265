import { AuthErrors, HttpClientErrors, type HttpClient } from '@platform/kit';
import type { FastifyRequest } from 'fastify';
import { isOrderStatus, type OrderStatusUpdate } from '../domain/order-status';
import { OrderNotFound } from '../errors';

/**
 * The order's current status, asked of the order service WITH THE CALLER'S TOKEN: the service decides who may
 * see the order, so the gateway never needs its own copy of ownership rules. Someone else's order is a 404,
 * never a 403, so order ids cannot be probed.
 */
export async function fetchOrderStatus(
  client: HttpClient,
  orderId: string,
  request: FastifyRequest,
): Promise<OrderStatusUpdate> {
  const headers: Record<string, string> = {
    authorization: request.headers.authorization ?? '',
    'x-request-id': request.id,
  };
  const traceparent = request.headers.traceparent;
  if (typeof traceparent === 'string') headers.traceparent = traceparent;
  const response = await client.request<{ status?: unknown; rejectionReason?: unknown }>({
    method: 'GET',
    path: `/orders/${orderId}`,
    headers,
  });
  if (response.status === 404 || response.status === 403) throw OrderNotFound(`no order ${orderId}`);
  if (response.status === 401) throw AuthErrors.InvalidToken('the order service refused the token');
  const status = response.status === 200 ? response.body.status : undefined;
  if (!isOrderStatus(status)) {
    throw HttpClientErrors.UpstreamBadResponse(`order: answered ${response.status} without a known status`);
  }
  const reason = response.body.rejectionReason;
  return { orderId, status, ...(typeof reason === 'string' ? { reason } : {}) };
}
