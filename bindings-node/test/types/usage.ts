// Compiled with `tsc -p test/types` (no emit): the declarations cover the whole public API.
import {
  ConfigError,
  OAuthError,
  PopToken,
  PopTokenValidator,
  PrivateKey,
  PublicKey,
  SignPolicy,
  Signer,
  TaapClient,
  TaapError,
  type AccessToken,
  type TaapErrorCode,
  TokenExpiredError,
  coreVersion,
  requestMethod,
  requestUri,
  signRequest,
} from 'taap';

async function usage(): Promise<void> {
  const key: PrivateKey = PrivateKey.fromPem('-----BEGIN PRIVATE KEY-----…', 'password');
  const generated: PrivateKey = await PrivateKey.generateAsync(3072);
  const fromFile = PrivateKey.fromFile(new URL('file:///keys/private.pem'));
  const bits: number = key.bits + generated.bits + fromFile.bits;
  const publicKey: PublicKey = key.publicKey();
  const jwk = publicKey.toJwk();
  const sameKey: boolean = PublicKey.fromJwk(jwk).equals(PublicKey.fromPem(publicKey.toPem()));
  const der: Buffer = publicKey.toDer();

  const fromMap: string = PopToken.build(key, new Map([['uri', '/orders'], ['http-method', 'GET']]));
  const fromPairs: string = PopToken.build(key, [['body', Buffer.from('{}')]], { ttlSecs: 60, iat: new Date(), jti: 'x' });
  const fromObject: string = await PopToken.buildAsync('-----BEGIN PRIVATE KEY-----…', { uri: '/', 'http-method': 'POST' });
  const forRequest: string = PopToken.forRequest(key, {
    method: 'POST',
    url: new URL('https://api.t-mobile.com/commerce/v1/orders'),
    headers: new Headers({ 'Content-Type': 'application/json' }),
    body: JSON.stringify({ orderId: 100 }),
  });
  await PopToken.forRequestAsync(key, { url: '/x' });

  const decoded: PopToken = PopToken.decode(fromMap);
  const names: readonly string[] = decoded.claims.ehts;
  const left: number = decoded.expiresIn() + decoded.claims.exp + decoded.claims.iat;
  const alg: 'RS256' = decoded.header.alg;

  const validator = new PopTokenValidator({ leeway: 5, maxAge: 60, required: ['uri'], replayCache: true });
  const checked: PopToken = validator.validate(forRequest, publicKey, { uri: '/commerce/v1/orders' }, { now: Math.floor(Date.now() / 1000) });

  const init = signRequest(key, 'https://api.t-mobile.com/orders', { method: 'POST', headers: { Accept: '*/*' }, body: '{}', redirect: 'manual' as const });
  const redirect: 'manual' = init.redirect;
  await fetch('https://api.t-mobile.com/orders', init);
  const viaHeaders = signRequest(key, 'https://h/x', { headers: new Headers({ Accept: '*/*' }) });
  const headersShape: Headers = viaHeaders.headers;
  const viaPairs = signRequest(key, 'https://h/x', { headers: [['Accept', '*/*']] as [string, string][], body: new Uint8Array(2) });
  await fetch('https://h/x', viaPairs);
  const plain: Record<string, string> = init.headers;
  signRequest(key, new Request('https://h/x'), undefined, { signHeaders: ['accept'], ttlSecs: 30 });
  const policy: SignPolicy = SignPolicy.allHeaders().withoutHeader('Cookie');
  signRequest(key, 'https://h/x', { headers: { Accept: '*/*' } }, { policy: new SignPolicy().withHeader('Accept') });
  const selected: [string, string][] = SignPolicy.headers(['Accept']).select(new Headers({ Accept: '*/*' }));
  const uri: string = requestUri(new URL('https://h/a?b=%20')) + requestMethod('get');
  const received: PopToken = validator.validateRequest(publicKey, { method: 'GET', url: '/a', headers: { accept: ['*/*'], host: undefined }, body: Buffer.alloc(0) });
  validator.validateRequest(publicKey, { method: 'GET', url: '/a?q=a%20b' }, { uriForm: 'encoded', now: new Date() });
  // @ts-expect-error uriForm is an option of validateRequest, which reads uri from the URL
  validator.validate(forRequest, publicKey, { uri: '/a' }, { uriForm: 'encoded' });

  const client = new TaapClient({ clientId: 'id', clientSecret: 'secret', key, server: 'v2', maxRetries: 1, timeout: 5 });
  const accessToken: AccessToken = await client.accessToken();
  const bearer: string = accessToken.token;
  const expires: Date = accessToken.expiresAt;
  const response: Response = await client.fetch(new URL('https://api.t-mobile.com/x'), { method: 'POST', headers: new Map([['Accept', '*/*']]), body: Buffer.from('{}'), signal: AbortSignal.timeout(1000) });
  const flavor: 'v2' | 'v6' = client.flavor;
  const json: unknown = await response.json();
  new TaapClient({ clientId: 'id', clientSecret: 'secret', key: '-----BEGIN PRIVATE KEY-----…', server: 'http://127.0.0.1:8080/oauth2/v6/tokens', storeId: '1' });

  const hsm: Signer = Signer.fromUri('pkcs11:token=taap;object=key', { password: 'pin' });
  const device = Signer.fromCallback(publicKey, (digest: Buffer) => Buffer.from(digest), { label: 'se050:1', timeout: 5 });
  const remote = Signer.fromCallback(hsm.publicKey(), async (digest) => new Uint8Array(digest), null);
  const kind: 'in-memory' | 'callback' | 'pkcs11' | 'aws-kms' | 'other' = device.kind;
  const signedByDevice: string = PopToken.build(device, { uri: '/' }) + (await PopToken.buildAsync(remote, [['uri', '/']]));
  const byHsm: string = PopToken.forRequest(hsm, { url: '/a' }) + (await PopToken.forRequestAsync(remote, { url: '/a' }));
  signRequest(device, 'https://h/x', { method: 'GET' });
  new TaapClient({ clientId: 'id', clientSecret: 'secret', key: remote, server: 'v2' });
  const shown: { kind: string; label: string } = hsm.toJSON();
  void [kind, signedByDevice, byHsm, shown, hsm.label, hsm.bits];

  try {
    validator.validate(fromPairs, publicKey, [['uri', '/']]);
  } catch (error) {
    if (error instanceof TokenExpiredError) {
      const code: 'TAAP_TOKEN_EXPIRED' = error.code;
    } else if (error instanceof OAuthError) {
      const status: number = error.status;
    } else if (error instanceof TaapError) {
      const code: TaapErrorCode = error.code;
    }
  }
  const configCode: 'TAAP_CONFIG' = ConfigError.code;
  void [bits, sameKey, der, fromObject, names, left, alg, checked, redirect, configCode, coreVersion, headersShape, plain, bearer, expires, flavor, json, policy, selected, uri, received, policy.equals(policy)];
}

// @ts-expect-error ehts values are strings or bytes, not numbers
PopToken.build(PrivateKey.generate(), { uri: 5 });
// @ts-expect-error keys have no public constructor
new PrivateKey();
// The server defaults to v2 (the schema's default); api and server exclude each other at run time.
new TaapClient({ clientId: 'id', clientSecret: 'secret', key: PrivateKey.generate() });
// @ts-expect-error the client needs its credentials
new TaapClient({ key: PrivateKey.generate(), server: 'v2' });
// @ts-expect-error seconds are numbers
new TaapClient({ clientId: 'id', clientSecret: 'secret', key: PrivateKey.generate(), timeout: '5' });
new TaapClient({ clientId: 'id', clientSecret: 'secret', key: PrivateKey.generate(), api: 'location', popClaims: { iss: '{client_id}' }, uriForm: 'encoded' });
// @ts-expect-error options are checked by name
PopToken.build(PrivateKey.generate(), { uri: '/' }, { ttl: 5 });
// @ts-expect-error a signer comes from Signer.fromUri or Signer.fromCallback
new Signer();
// @ts-expect-error the callback's answer is bytes
Signer.fromCallback(PrivateKey.generate().publicKey(), () => 'signature');

void usage;
