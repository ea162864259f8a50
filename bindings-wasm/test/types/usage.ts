// Compiled with `tsc -p test/types` (no emit, browser libraries only): the declarations cover
// taap-wasm's whole public API, and leave out what only the Node package has.
import {
  ConfigError,
  ERROR_KINDS,
  KIND_CLASSES,
  PopToken,
  PopTokenValidator,
  PrivateKey,
  PublicKey,
  SignPolicy,
  Signer,
  TaapError,
  TokenExpiredError,
  coreVersion,
  explain,
  ready,
  requestMethod,
  requestUri,
  signRequest,
  signRequestAsync,
  type Explanation,
  type TaapErrorCode,
} from 'taap-wasm';

async function usage(pem: string, der: Uint8Array): Promise<void> {
  await ready();
  const key: PrivateKey = PrivateKey.fromPem(pem, 'password');
  const fromDer: PrivateKey = PrivateKey.fromDer(der);
  const bits: number = key.bits + fromDer.bits + PrivateKey.generate(3072).bits;
  const secret: Uint8Array = key.toDer();
  const publicKey: PublicKey = key.publicKey();
  const sameKey: boolean = PublicKey.fromJwk(publicKey.toJwk()).equals(PublicKey.fromDer(publicKey.toDer()));

  const token: string = PopToken.build(key, [['uri', '/orders'], ['http-method', 'GET']], { iat: new Date(), jti: 'x', ttlSecs: 60 });
  const same: string = await PopToken.buildAsync(pem, new Map([['uri', '/orders']]));
  const forRequest: string = PopToken.forRequest(key, { method: 'POST', url: new URL('https://api.t-mobile.com/orders'), headers: new Headers(), body: '{}' });
  await PopToken.forRequestAsync(key, { url: '/x', body: new URLSearchParams({ a: 'b' }) });
  const decoded: PopToken = PopToken.decode(token);
  const names: readonly string[] = decoded.claims.ehts;

  const validator = new PopTokenValidator({ leeway: 5, maxAge: 60, required: ['uri'], replayCache: 1000 });
  const checked: PopToken = validator.validate(token, publicKey, { uri: '/orders', 'http-method': 'GET' }, { now: 0 });
  const received: PopToken = validator.validateRequest(publicKey, { method: 'GET', url: '/orders?q=a%20b', headers: [['X-Authorization', token]] }, { uriForm: 'encoded', now: new Date() });

  const why: Explanation = explain(token, { method: 'GET', url: '/orders' }, { publicKey, now: 0 });
  const mismatch: boolean = !why.edts.matches && why.variant?.id === 'uri-encoded' && why.signature === 'valid';

  const init = signRequest(key, 'https://api.t-mobile.com/orders', { method: 'POST', headers: { Accept: '*/*' }, body: '{}' });
  const headers: Record<string, string> = init.headers;
  const viaWebCrypto = await signRequestAsync(key, 'https://h/x', { headers: new Headers() }, { policy: SignPolicy.allHeaders() });
  const headersShape: Headers = viaWebCrypto.headers;
  const uri: string = requestUri('https://h/a?b=%20') + requestMethod('get');

  try {
    validator.validate(token, publicKey, []);
  } catch (error) {
    if (error instanceof TokenExpiredError) {
      const code: 'TAAP_TOKEN_EXPIRED' = error.code;
    } else if (error instanceof TaapError) {
      const code: TaapErrorCode = error.code;
    }
  }
  const kinds: string[] = ERROR_KINDS.map((row) => `${row.name} ${row.code} ${row.description}`);
  const configClass: typeof TaapError | undefined = KIND_CLASSES.ConfigError;
  const configCode: 'TAAP_CONFIG' = ConfigError.code;

  const device = (digest: Uint8Array): Uint8Array => digest;
  const signer: Signer = Signer.fromCallback(publicKey, device, { label: 'se050:0xF0000100' });
  const later: Signer = Signer.fromCallback(publicKey, async (digest) => digest.buffer as ArrayBuffer);
  const viaSigner: string = PopToken.build(signer, { uri: '/orders' }) + (await PopToken.buildAsync(later, { uri: '/orders' }));
  const requestViaSigner: string = PopToken.forRequest(signer, { url: '/x' }) + (await PopToken.forRequestAsync(later, { url: '/x' }));
  const either: PrivateKey | Signer = Math.random() < 0.5 ? key : signer;
  const signedBySigner = [signRequest(either, '/x', { headers: { Accept: '*/*' } }).headers['X-Authorization'], await signRequestAsync(later, '/x')];
  const described: string = `${signer.kind} ${signer.label} ${signer.bits} ${signer.publicKey().thumbprint()} ${JSON.stringify(signer.toJSON())}`;
  const shown: { bits: number; thumbprint: string } | { freed: true } = key.toJSON();
  key.free();
  {
    using scoped = PrivateKey.fromPem(pem);
    void scoped.bits;
  }
  void [viaSigner, requestViaSigner, signedBySigner, described, bits, secret, sameKey, same, forRequest, names, checked, received, mismatch, headers, headersShape, uri, kinds, configClass, configCode, shown, coreVersion];
}

// @ts-expect-error a browser has no files: only the Node package loads keys from paths
PrivateKey.fromFile('keys/private-key.pem');
// @ts-expect-error uriForm is an option of validateRequest, which reads uri from the URL
new PopTokenValidator().validate('t', PrivateKey.generate().publicKey(), [], { uriForm: 'encoded' });
// @ts-expect-error a Signer is made with Signer.fromCallback
new Signer();
// @ts-expect-error the callback gets the digest as bytes and answers with bytes
Signer.fromCallback(PrivateKey.generate().publicKey(), (digest: string) => digest);
// @ts-expect-error ehts values are strings or bytes, not numbers
PopToken.build(PrivateKey.generate(), { uri: 5 });

void usage;
