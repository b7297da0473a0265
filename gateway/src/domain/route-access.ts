/** A method and a path template (`/products/:id`) as the services declare their routes. */
export interface RouteRule {
  method: string;
  path: string;
}

export type Access = 'public' | 'authenticated' | 'admin';

export interface RouteMatcher {
  matches(method: string, path: string): boolean;
}

function templateToRegExp(template: string): RegExp {
  const pattern = template
    .split('/')
    .map((segment) => (segment.startsWith(':') ? '[^/]+' : segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('/');
  // Exact match, a trailing slash tolerated: `/products/` must not slip past a rule written as `/products`.
  return new RegExp(`^${pattern}/?$`);
}

export function createRouteMatcher(rules: readonly RouteRule[]): RouteMatcher {
  const compiled = rules.map((rule) => ({ method: rule.method.toUpperCase(), regexp: templateToRegExp(rule.path) }));
  return {
    matches(method, path) {
      // HEAD reads what GET reads, so it is exactly as public as GET.
      const effective = method.toUpperCase() === 'HEAD' ? 'GET' : method.toUpperCase();
      return compiled.some((rule) => rule.method === effective && rule.regexp.test(path));
    },
  };
}

/** Public and admin rules are explicit; anything else needs a valid token, so a new service route is never open by accident. */
export function createAccessPolicy(rules: { public: readonly RouteRule[]; admin: readonly RouteRule[] }) {
  const publicMatcher = createRouteMatcher(rules.public);
  const adminMatcher = createRouteMatcher(rules.admin);
  return function accessFor(method: string, path: string): Access {
    if (adminMatcher.matches(method, path)) return 'admin';
    if (publicMatcher.matches(method, path)) return 'public';
    return 'authenticated';
  };
}
