// The same declarations seen from an ES module: named and default imports.
import taap, { PopToken, PrivateKey, TaapClient, type TaapClientOptions } from 'taap';

const key = PrivateKey.generate();
const token: string = PopToken.build(key, { uri: '/', 'http-method': 'GET' });
const decoded: PopToken = taap.PopToken.decode(token);
const options: TaapClientOptions = { clientId: 'id', clientSecret: 'secret', key, server: 'v6' };
const client: TaapClient = new taap.TaapClient(options);
const pending: Promise<Response> = client.fetch('https://api.t-mobile.com/x');
void [decoded, pending];
