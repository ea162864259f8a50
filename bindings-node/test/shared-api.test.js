'use strict';
// The API both JavaScript doors share, on the Node package (the cases: bindings-js/test/shared-api.cjs).

const { sharedApiTests } = require('../../bindings-js/test/shared-api.cjs');

sharedApiTests(require('taap'));
