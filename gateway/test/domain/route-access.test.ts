import { createAccessPolicy, safePath } from '../../src/domain/route-access';
import { adminRoutes, publicRoutes } from '../../src/routes/public-routes';

describe('edge access rules', () => {
  const accessFor = createAccessPolicy({ public: publicRoutes, admin: adminRoutes });

  it.each([
    ['POST', '/auth/login', 'public'],
    ['POST', '/auth/register', 'public'],
    ['POST', '/auth/logout', 'authenticated'],
    ['GET', '/products', 'public'],
    ['HEAD', '/products/abc', 'public'],
    ['GET', '/products/sku/SKU-1', 'public'],
    ['POST', '/products', 'admin'],
    ['PATCH', '/products/abc', 'admin'],
    ['GET', '/users/me', 'authenticated'],
    ['GET', '/users', 'admin'],
    ['GET', '/users/', 'admin'],
    ['PATCH', '/users/abc/role', 'admin'],
    ['GET', '/orders/abc', 'authenticated'],
    ['GET', '/stock/SKU-1', 'authenticated'],
    ['POST', '/stock/SKU-1/adjust', 'admin'],
    ['GET', '/something/new', 'authenticated'],
  ])('when %s %s, then it is %s', (method, path, expected) => {
    expect(accessFor(method, path)).toBe(expected);
  });

  it.each(['/products/../users', '/products/%2E%2E/users', '/products/a%2fb', '/products/a%5cb', '/products/%zz'])(
    'when the path is %s, then it is refused as ambiguous',
    (path) => {
      expect(safePath(path)).toBeUndefined();
    },
  );

  it('when the path is ordinary, then it is kept without the query string', () => {
    expect(safePath('/products/sku/A-1.2?limit=5')).toBe('/products/sku/A-1.2');
  });
});
