'use strict';
// `require('taap/express')`: PoP validation for Express apps and fetch-style handlers.

module.exports = require('./lib/pop-middleware');
