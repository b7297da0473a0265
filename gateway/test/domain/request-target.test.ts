import { canonicalTarget, isTargetProblem } from '../../src/domain/request-target';

describe('canonical request target', () => {
  it.each([
    ['/api/v1/products?limit=5', '/api/v1/products?limit=5', '/api/v1/products'],
    ['/api/v1/products/sku/A-1.2_x~', '/api/v1/products/sku/A-1.2_x~', '/api/v1/products/sku/A-1.2_x~'],
    ['/api/v1/products/caf%C3%A9', '/api/v1/products/caf%C3%A9', '/api/v1/products/café'],
    ['/api/v1/products/a%20b', '/api/v1/products/a%20b', '/api/v1/products/a b'],
    ['/api/v1/users/', '/api/v1/users/', '/api/v1/users/'],
    ['http://gateway.example/api/v1/users?x=1', '/api/v1/users?x=1', '/api/v1/users'],
    ['https://gateway.example', '/', '/'],
    ['/api/v1/%75sers', '/api/v1/users', '/api/v1/users'],
    ['/api/v1/auth/log%69%6E', '/api/v1/auth/login', '/api/v1/auth/login'],
    ['/api/v1/users#x', '/api/v1/users', '/api/v1/users'],
    ['/api/v1/auth/login?x=1#y', '/api/v1/auth/login?x=1', '/api/v1/auth/login'],
    ['/api/v1/products/caf%c3%a9', '/api/v1/products/caf%C3%A9', '/api/v1/products/café'],
    ['/api/v1/%2575sers', '/api/v1/%2575sers', '/api/v1/%75sers'],
    ['/api/v1/files/.well-known/..x', '/api/v1/files/.well-known/..x', '/api/v1/files/.well-known/..x'],
    ['/api/v1/products?q=a/b?c[]=1', '/api/v1/products?q=a/b?c[]=1', '/api/v1/products'],
  ])('when the target is %s, then it is forwarded as %s and judged as %s', (raw, url, path) => {
    expect(canonicalTarget(raw)).toEqual({ url, path });
  });

  it.each([
    ['/api/v1/users%2Fx', 'encoded slash'],
    ['/api/v1/users%5cx', 'encoded slash'],
    ['/api/v1/products/../users', 'dot segment'],
    ['/api/v1/products/%2e%2e/users', 'dot segment'],
    ['/api/v1/products/..', 'dot segment'],
    ['/api/v1/products/.', 'dot segment'],
    ['/api/v1/./products?limit=1', 'dot segment'],
    ['/api/v1/..?limit=1', 'dot segment'],
    ['/api/v1//users', 'empty path segment'],
    ['/api/v1/users%zz', 'starts no escape'],
    ['/api/v1/users%', 'starts no escape'],
    ['/api/v1/a%C3', 'not UTF-8'],
    ['/api/v1/a%00', 'control character'],
    ['/api/v1/a"b', 'characters a path may not hold'],
    ['/api/v1/a\\b', 'characters a path may not hold'],
    ['*', 'not a path'],
  ])('when the target is %s, then it is refused (%s)', (raw, reason) => {
    const result = canonicalTarget(raw);
    expect(isTargetProblem(result) && result.status).toBe(400);
    expect(isTargetProblem(result) && result.reason).toContain(reason);
  });

  it('when the target is longer than 8 KiB, then 414', () => {
    expect(canonicalTarget(`/api/v1/products?q=${'a'.repeat(9000)}`)).toMatchObject({ status: 414 });
  });
});
