// The API both JavaScript doors share, on the wasm package (the cases: bindings-js/test/shared-api.cjs).
import { createRequire } from 'node:module';
import { taap } from './helpers.mjs';

const { sharedApiTests } = createRequire(import.meta.url)('../../bindings-js/test/shared-api.cjs');

sharedApiTests(taap);
