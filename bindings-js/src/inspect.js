// How taap's objects show in Node's util.inspect and console.log: what identifies them, never a
// secret. Other runtimes ignore the symbol.

/** The key Node's util.inspect looks up for an object's own rendering (`util.inspect.custom`). */
export const INSPECT = Symbol.for('nodejs.util.inspect.custom');

/** `label` and `fields` as util.inspect renders an object (JSON where no inspect function is passed). */
export function inspected(label, fields, options, inspect) {
  return `${label} ${typeof inspect === 'function' ? inspect(fields, options) : JSON.stringify(fields)}`;
}
