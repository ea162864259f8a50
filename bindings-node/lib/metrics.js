'use strict';
// Prometheus metrics of popMiddleware and withPop (option `metrics`) through prom-client, an
// optional peer dependency (`npm install prom-client`), required only when metrics are asked
// for. The names, labels, units and buckets are those of the Rust PopLayer
// (taap_tower::metrics), so one dashboard reads every service; see docs/operations.md.
//
// Labels take only a fixed set of values (outcomes, error kind names, store names): never a
// client id, token, jti or key.

const { KIND_CLASSES } = require('./shared/errors.js');

const { ConfigError } = KIND_CLASSES;

/** `kind` of a refusal because the replay store did not answer in time (503). */
const KIND_REPLAY_STORE_UNAVAILABLE = 'ReplayStoreUnavailable';
/** `kind` of a refusal because the body is larger than `maxBody` (413). */
const KIND_BODY_TOO_LARGE = 'BodyTooLarge';
/** `kind` of a refusal by the key lookup (no or repeated client id, no key for the client). */
const KIND_KEY_LOOKUP = 'KeyLookup';
/** 25 µs (a fast RSA verification) doubling to about 0.4 s, as PopLayer's. */
const VALIDATION_BUCKETS = Object.freeze(Array.from({ length: 15 }, (_, power) => 0.000025 * 2 ** power));
/** What `metrics` says when prom-client is missing. */
const MISSING = 'option metrics needs the prom-client package: npm install prom-client';

/** Each collector: its prom-client class, name, help text and options. */
const COLLECTORS = [
  ['decisions', 'Counter', 'taap_pop_decisions_total', 'Requests the PoP middleware decided on, by outcome (accepted, refused) and refusal kind', { labelNames: ['outcome', 'kind'] }],
  ['validation', 'Histogram', 'taap_pop_validation_seconds', 'Time the PoP middleware took to decide once the body was read: key lookup, PoP token, replay store', { buckets: [...VALIDATION_BUCKETS] }],
  ['bodyBytes', 'Counter', 'taap_pop_body_bytes_total', 'Request body bytes the PoP middleware read and checked against PoP tokens', {}],
  ['storeErrors', 'Counter', 'taap_replay_store_errors_total', 'Admissions the replay store did not answer in time, refused with 503, by store', { labelNames: ['store'] }],
  ['storeUp', 'Gauge', 'taap_replay_store_up', "1 when the replay store's latest answer came in time, 0 when it did not, by store", { labelNames: ['store'] }],
];

/** The collectors made for each registry, so that middlewares sharing one reuse them. */
const byRegistry = new WeakMap();

function promClient() {
  try {
    return require('prom-client');
  } catch (error) {
    if (error && error.code === 'MODULE_NOT_FOUND' && String(error.message).includes("'prom-client'")) throw new ConfigError(MISSING);
    throw error;
  }
}

/**
 * The collectors for option `metrics`: `null` (or `undefined`, `false`) for none, `true` for
 * prom-client's global registry, or a prom-client `Registry`.
 */
function metricsFor(option) {
  if (option === undefined || option === null || option === false) return null;
  const client = promClient();
  const registry = option === true ? client.register : option;
  if (registry === null || typeof registry !== 'object' || typeof registry.getSingleMetric !== 'function' || typeof registry.registerMetric !== 'function') {
    throw new ConfigError('option metrics must be a prom-client Registry, true or null, not ' + (option === null ? 'null' : typeof option));
  }
  let metrics = byRegistry.get(registry);
  if (!metrics) {
    metrics = new PopMetrics(client, registry);
    byRegistry.set(registry, metrics);
  }
  return metrics;
}

/** The middleware's collectors in one registry; every middleware given that registry shares them. */
class PopMetrics {
  constructor(client, registry) {
    for (const [field, type, name, help, options] of COLLECTORS) {
      // Another copy of this module (another taap in node_modules) may have registered it.
      const existing = registry.getSingleMetric(name);
      if (existing) {
        const labels = JSON.stringify(existing.labelNames ?? []);
        if (existing.type !== type.toLowerCase() || labels !== JSON.stringify(options.labelNames ?? [])) {
          throw new ConfigError(`option metrics: the registry already holds a metric named ${name} that is not the PoP middleware's`);
        }
        this[field] = existing;
      } else {
        this[field] = new client[type]({ name, help, registers: [registry], ...options });
      }
    }
    // A dashboard's rate() needs the series before the first request comes.
    this.decisions.inc({ outcome: 'accepted', kind: '' }, 0);
  }

  /** Counts one decision; `kind` is the refusal's, `null` when accepted. */
  decided(kind) {
    this.decisions.inc(kind === null ? { outcome: 'accepted', kind: '' } : { outcome: 'refused', kind });
  }

  validated(seconds) {
    this.validation.observe(seconds);
  }

  bodyRead(bytes) {
    this.bodyBytes.inc(bytes);
  }

  storeAnswered(store, inTime) {
    this.storeUp.set({ store }, inTime ? 1 : 0);
    if (!inTime) this.storeErrors.inc({ store });
  }
}

/**
 * The `kind` label of an answer the middleware sent, and the replay store it names: a 503
 * naming a `store` is the replay store's; any other (a key source down) is its body's `error`.
 */
function refusalKind(answer) {
  let parsed = {};
  try {
    parsed = JSON.parse(answer.body);
  } catch {
    parsed = {};
  }
  if (parsed === null || typeof parsed !== 'object') parsed = {};
  if (answer.status === 503 && typeof parsed.store === 'string') return [KIND_REPLAY_STORE_UNAVAILABLE, parsed.store];
  if (answer.status === 413) return [KIND_BODY_TOO_LARGE, null];
  return [typeof parsed.error === 'string' ? parsed.error : 'Unknown', null];
}

module.exports = { metricsFor, refusalKind, KIND_BODY_TOO_LARGE, KIND_KEY_LOOKUP, KIND_REPLAY_STORE_UNAVAILABLE, VALIDATION_BUCKETS, MISSING };
