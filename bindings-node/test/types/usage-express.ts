// Type-level use of taap/express: the options, the Express middleware and the fetch wrapper.
import { popMiddleware, withPop, type PopOptions } from 'taap/express';
import { PublicKey } from 'taap';

const fromPem: PopOptions = { publicKey: '-----BEGIN PUBLIC KEY-----', required: ['uri', 'http-method'], leeway: 10, maxAge: 60 };
const byClient: PopOptions = { publicKey: async (clientId: string) => (clientId === 'a' ? PublicKey.fromPem('') : null), replayStore: 'memory' };

export const middleware: (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse, next: (error?: unknown) => void) => void =
  popMiddleware(fromPem);
export const handler: (request: Request, env: { name: string }) => Promise<Response> = withPop(
  async (request: Request, env: { name: string }) => new Response(`${request.method} ${env.name}`),
  byClient,
);
