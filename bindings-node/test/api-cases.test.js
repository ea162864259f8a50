'use strict';
// The API behaviour suite, tests/api/cases.json, on the Node package: client and validator cases.

const { apiCaseTests } = require('../../bindings-js/test/api-cases.cjs');

apiCaseTests(require('taap'), ['client', 'validator']);
