import type { UpstreamName } from '../clients/upstreams';
import { API_PREFIX, upstreamPrefixes, wellKnownRoutes } from './public-routes';

/** Where a service's route appears in the public API, or undefined when the gateway does not expose it. */
export function publicPath(upstream: UpstreamName, path: string): string | undefined {
  if (wellKnownRoutes.some((route) => route.upstream === upstream && route.path === path)) return path;
  const exposed = upstreamPrefixes.some(
    ({ prefix, upstream: owner }) => owner === upstream && (path === prefix || path.startsWith(`${prefix}/`)),
  );
  return exposed ? `${API_PREFIX}${path}` : undefined;
}
