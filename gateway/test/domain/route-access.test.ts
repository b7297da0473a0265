import { createAccessPolicy } from '../../src/domain/route-access';
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
});
