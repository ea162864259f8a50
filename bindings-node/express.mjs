// `import { popMiddleware, withPop } from 'taap/express'`: the same objects as require('taap/express').
import express from './express.js';

export const { popMiddleware, withPop, DEFAULT_REQUIRED, DEFAULT_MAX_BODY, DEFAULT_CLIENT_ID_HEADER } = express;
