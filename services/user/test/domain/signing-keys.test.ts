import { exportPKCS8, generateKeyPair } from 'jose';
import { loadSigningKeys } from '../../src/domain/signing-keys';
import { generateSigningKey } from '../helpers/app';

describe('signing keys', () => {
  it('when the current key id is also among the previous keys, then it is published once, without a private part', async () => {
    const key = await generateSigningKey('k1');

    const { jwks } = await loadSigningKeys({
      privateKeyPem: key.pem,
      keyId: 'k1',
      previousPublicKeys: [key.publicJwk],
    });

    expect(jwks.keys).toEqual([
      { kty: 'OKP', crv: 'Ed25519', x: key.publicJwk.x, kid: 'k1', alg: 'EdDSA', use: 'sig' },
    ]);
  });

  it.each([
    ['an Ed448 key', () => generateKeyPair('EdDSA', { crv: 'Ed448', extractable: true })],
    ['a P-256 key', () => generateKeyPair('ES256', { extractable: true })],
  ])('when JWT_PRIVATE_KEY holds %s, then loading fails instead of signing with it', async (_case, generate) => {
    const { privateKey } = await generate();

    await expect(
      loadSigningKeys({ privateKeyPem: await exportPKCS8(privateKey), keyId: 'k', previousPublicKeys: [] }),
    ).rejects.toThrow();
  });
});
