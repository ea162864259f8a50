// The API behaviour suite, tests/api/cases.json, on the wasm package: its validator cases (the
// package has no client; docs/api.md says why).
import { createRequire } from 'node:module';
import { taap } from './helpers.mjs';

const { apiCaseTests } = createRequire(import.meta.url)('../../bindings-js/test/api-cases.cjs');

apiCaseTests(taap, ['validator']);
