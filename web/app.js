// The token page: reads the fields, calls taap-wasm, shows the token or the error next to
// the field at fault. No network request after load: the key stays in this page.

import { PopToken, PopTokenValidator, PrivateKey, PublicKey, requestUri } from './pkg/index.js';

const $ = (id) => document.getElementById(id);
let timer;

/** Where an error kind belongs on the page. */
function fieldOf(error) {
  if (/ttl/i.test(error.message)) return 'ttl';
  if (!error.code) return 'generate';
  if (error.code === 'TAAP_KEY_DECRYPT') return 'password';
  if (error.code === 'TAAP_INVALID_KEY') return 'key';
  if (error.code === 'TAAP_CONFIG') return 'ttl';
  // The page's own names are fixed and distinct, so ehts the core refuses (too many, a
  // duplicate, a bad name) come from the typed extra headers.
  if (error.code === 'TAAP_INVALID_EHTS') return 'more-headers';
  if (/method/i.test(error.message)) return 'method';
  if (/url|uri/i.test(error.message)) return 'uri';
  return 'generate';
}

function clearErrors() {
  for (const element of document.querySelectorAll('.error')) element.textContent = '';
}

function headers(prefix) {
  const list = [];
  const contentType = $(`${prefix}content-type`).value;
  const authorization = $(`${prefix}authorization`).value;
  if (contentType) list.push(['Content-Type', contentType]);
  if (authorization) list.push(['Authorization', authorization]);
  return list;
}

/** The "More headers" lines as `[name, value]` pairs; a line without a colon is an error. */
function moreHeaders() {
  const list = [];
  for (const line of $('more-headers').value.split(/\r?\n/)) {
    if (!line.trim()) continue;
    const colon = line.indexOf(':');
    if (colon < 0) {
      const error = new Error(`"${line.slice(0, 40)}" is not a "Name: value" line`);
      error.code = 'TAAP_INVALID_EHTS';
      throw error;
    }
    list.push([line.slice(0, colon).trim(), line.slice(colon + 1).trim()]);
  }
  return list;
}

function showUri() {
  try {
    $('uri-signed').textContent = $('uri').value ? requestUri($('uri').value) : '';
    $('uri-error').textContent = '';
  } catch (error) {
    $('uri-signed').textContent = '';
    $('uri-error').textContent = error.message;
  }
}

function curlLine(request, token) {
  const quote = (text) => `'${text.replace(/'/g, "'\\''")}'`;
  const parts = [`curl -X ${request.method}`];
  for (const [name, value] of request.headers) parts.push(`-H ${quote(`${name}: ${value}`)}`);
  parts.push(`-H ${quote(`X-Authorization: ${token}`)}`);
  if (request.body) parts.push(`--data-raw ${quote(request.body)}`);
  parts.push(quote(request.url));
  return parts.join(' \\\n  ');
}

function generate() {
  clearErrors();
  $('token').textContent = '';
  const ttl = Number($('ttl').value);
  let key;
  try {
    const request = { method: $('method').value, url: $('uri').value, headers: [...headers(''), ...moreHeaders()], body: $('body').value };
    key = PrivateKey.fromPem($('key').value, $('password').value || undefined);
    const token = PopToken.forRequest(key, request, { ttlSecs: Number.isInteger(ttl) ? ttl : NaN });
    const decoded = PopToken.decode(token);
    $('token').textContent = token;
    $('decoded').textContent = JSON.stringify({ header: decoded.header, claims: decoded.claims }, null, 2);
    $('curl').textContent = curlLine(request, token);
    clearInterval(timer);
    const tick = () => ($('countdown').textContent = String(Math.max(0, decoded.expiresIn())));
    tick();
    timer = setInterval(tick, 1000);
  } catch (error) {
    const field = fieldOf(error);
    $(`${field}-error`).textContent = `${error.code ?? error.name}: ${error.message}`;
  } finally {
    key?.free();
  }
}

function check() {
  const output = $('check-result');
  try {
    const text = $('check-key').value.trim();
    const key = text.startsWith('{') ? PublicKey.fromJwk(text) : PublicKey.fromPem(text);
    const token = $('check-token').value.trim();
    const request = {
      method: $('check-method').value,
      url: $('check-uri').value,
      headers: [...headers('check-'), ['X-Authorization', token]],
      body: $('check-body').value,
    };
    const decoded = new PopTokenValidator().validateRequest(key, request);
    output.textContent = `valid (jti ${decoded.claims.jti})`;
  } catch (error) {
    output.textContent = `${error.code ?? error.name}: ${error.message}`;
  }
}

async function readKeyFile() {
  const file = $('key-file').files[0];
  if (file) $('key').value = await file.text();
}

$('uri').addEventListener('input', showUri);
$('generate-button').addEventListener('click', generate);
$('check-button').addEventListener('click', check);
$('key-file').addEventListener('change', readKeyFile);
$('copy').addEventListener('click', () => navigator.clipboard?.writeText($('token').textContent));
document.body.dataset.ready = 'true';
