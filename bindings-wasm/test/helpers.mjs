// Shared fixtures: the repository's conformance vectors and test keys, and the package as
// `make wasm` built it (bindings-wasm/pkg).

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPOSITORY = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const TESTS = path.join(REPOSITORY, 'tests');
export const KEYS = path.join(TESTS, 'keys');
export const taap = await import(path.join(REPOSITORY, 'bindings-wasm', 'pkg', 'index.js'));

/** One vectors file from tests/vectors. */
export function vectors(file) {
  return JSON.parse(fs.readFileSync(path.join(TESTS, 'vectors', file), 'utf8'));
}

/** A private key as the vectors name it (relative to tests/keys; DER by extension). */
export function privateKey(relative, password) {
  const bytes = fs.readFileSync(path.join(KEYS, relative));
  return relative.endsWith('.der')
    ? taap.PrivateKey.fromDer(bytes, password ?? undefined)
    : taap.PrivateKey.fromPem(bytes, password ?? undefined);
}

/** A public key file: JWK (.json), DER (.der) or PEM. */
export function publicKey(relative) {
  const bytes = fs.readFileSync(path.join(KEYS, relative));
  if (relative.endsWith('.json')) return taap.PublicKey.fromJwk(bytes.toString('utf8'));
  if (relative.endsWith('.der')) return taap.PublicKey.fromDer(bytes);
  return taap.PublicKey.fromPem(bytes);
}

/** `ok`, or the core kind name of the TaapError `action` throws. */
export function outcome(action) {
  try {
    action();
    return 'ok';
  } catch (error) {
    if (!(error instanceof taap.TaapError)) throw error;
    return error.name.slice(0, -'Error'.length);
  }
}

export const pinned = (item) => ({ ttlSecs: item.ttl_secs, iat: item.iat, jti: item.jti });
