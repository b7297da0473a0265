export { createHttpClient } from './http-client';
export type { HttpClient } from './http-client';
export type { HttpMethod, HttpRequest, HttpResponse, StreamedResponse } from './attempt';
export type { HttpClientOptions, HttpRetryOptions, HttpBreakerOptions, HttpBulkheadOptions } from './options';
export type { BreakerState } from './upstream-metrics';
export { HttpClientErrors } from './errors';
export type { HttpResponseHeaders } from './errors';
