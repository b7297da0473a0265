import { generateKeyPairSync } from 'node:crypto';
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
    // jose 6 only generates Ed25519 for EdDSA; node:crypto still makes the Ed448 key an operator could paste.
    [
      'an Ed448 key',
      async () => generateKeyPairSync('ed448').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    ],
    ['a P-256 key', async () => exportPKCS8((await generateKeyPair('ES256', { extractable: true })).privateKey)],
  ])('when JWT_PRIVATE_KEY holds %s, then loading fails instead of signing with it', async (_case, generatePem) => {
    const privateKeyPem = await generatePem();

    await expect(loadSigningKeys({ privateKeyPem, keyId: 'k', previousPublicKeys: [] })).rejects.toThrow();
  });
});
