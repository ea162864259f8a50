// ESM entry: the same objects as require('taap'). Node finds the names by reading index.js.
export * from './index.js';
import taap from './index.js';
export default taap;
