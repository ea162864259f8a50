'use strict';
// The API behaviour suite (tests/api/cases.json, rendered from the core's settings schema) in a
// JavaScript door: every validator case in both packages, every client case where the door has
// a client (Node). Each case's options are renamed with the schema's own camel names, and the
// outcome must be exactly the case's settings or its error kind and message.

const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { test } = require('node:test');

const ROOT = path.join(__dirname, '..', '..');
const CASES = JSON.parse(fs.readFileSync(path.join(ROOT, 'tests', 'api', 'cases.json'), 'utf8')).cases;
const KEY_PEM = fs.readFileSync(path.join(ROOT, 'tests', 'keys', 'tmobile', 'readme-private-pkcs8.pem'), 'utf8');

/** `message` with `{name}` and `{<group> options}` in this door's names. */
function expectedMessage(message, schema) {
  let expected = message;
  for (const group of ['client', 'validator']) {
    const names = schema.filter((setting) => setting.group === group).map((setting) => setting.camel);
    expected = expected.replaceAll(`{${group} options}`, names.join(', '));
  }
  for (const setting of schema) expected = expected.replaceAll(`{${setting.name}}`, setting.camel);
  return expected;
}

/** The case's options under this door's names. */
function camelOptions(options, schema) {
  const camel = (name) => schema.find((setting) => setting.name === name)?.camel ?? name;
  return Object.fromEntries(Object.entries(options).map(([name, value]) => [camel(name), value]));
}

/** Numbers compare numerically (10 and 10.0 are one number in JavaScript anyway). */
function assertSubset(actual, expected, schema, label) {
  for (const [name, value] of Object.entries(expected)) {
    const camel = schema.find((setting) => setting.name === name)?.camel ?? name;
    assert.deepEqual(actual[camel], value, `${label}: ${camel}`);
  }
}

/** Defines one test per case of the groups `door` builds. */
function apiCaseTests(taap, groups) {
  const schema = taap.settingsSchema();
  const key = taap.PrivateKey.fromPem(KEY_PEM);
  const build = {
    client: (options) => new taap.TaapClient({ clientId: 'id', clientSecret: 'secret', key, ...options }),
    validator: (options) => new taap.PopTokenValidator(options),
  };
  const chosen = CASES.filter((apiCase) => groups.includes(apiCase.group));
  test('the behaviour suite has cases of every group this door runs', () => {
    for (const group of groups) assert.ok(chosen.filter((apiCase) => apiCase.group === group).length > 10, group);
  });
  for (const apiCase of chosen) {
    test(apiCase.name, () => {
      const options = camelOptions(apiCase.options, schema);
      if (apiCase.error) {
        assert.throws(() => build[apiCase.group](options), (error) => {
          assert.equal(error.name, `${apiCase.error}Error`);
          assert.equal(error.message, expectedMessage(apiCase.message, schema));
          return true;
        });
      } else {
        assertSubset(build[apiCase.group](options).settings, apiCase.settings, schema, apiCase.name);
      }
    });
  }
}

module.exports = { apiCaseTests };
