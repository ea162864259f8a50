'use strict';
// Loads the compiled core (taap.node, written by scripts/build.js at install time).

const path = require('node:path');

const ADDON = path.join(__dirname, '..', 'taap.node');

function load() {
  try {
    return require(ADDON);
  } catch (error) {
    if (error && error.code === 'MODULE_NOT_FOUND') {
      throw new Error(
        `taap's native module ${ADDON} is missing: it is built when the package is installed. ` +
          `Run \`npm run build\` in ${path.dirname(ADDON)} (needs Rust's cargo and a C compiler).`,
        { cause: error },
      );
    }
    throw error;
  }
}

module.exports = load();
