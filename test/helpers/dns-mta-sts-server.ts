// The HTTPS side of MTA-STS for tests: policy hosts mta-sts.DOMAIN on a loopback address, presenting
// a certificate of the test PKI, serving each domain's policy text (or an HTTP status) and counting fetches.
import https from 'node:https';
import type { TestCert } from './pki.js';

export interface StsServer {
  readonly fetches: Map<string, number>;
  /** Policy text (or HTTP status) per policy host name, changeable between tests. */
  readonly policies: Map<string, string | number>;
  close(): Promise<void>;
}

export function stsPolicyText(mode: 'enforce' | 'testing' | 'none', mx: readonly string[], maxAge = 86400): string {
  return ['version: STSv1', `mode: ${mode}`, ...mx.map((m) => `mx: ${m}`), `max_age: ${maxAge}`, ''].join('\r\n');
}

export async function startStsServer(o: { readonly host: string; readonly port: number; readonly cert: TestCert; readonly chain?: string }): Promise<StsServer> {
  const fetches = new Map<string, number>();
  const policies = new Map<string, string | number>();
  const server = https.createServer({ key: o.cert.keyPem, cert: o.cert.certPem + (o.chain ?? '') }, (req, res) => {
    const host = (req.headers.host ?? '').replace(/:\d+$/, '');
    fetches.set(host, (fetches.get(host) ?? 0) + 1);
    const policy = policies.get(host);
    if (req.url !== '/.well-known/mta-sts.txt' || policy === undefined || typeof policy === 'number') {
      res.writeHead(typeof policy === 'number' ? policy : 404).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end(policy);
  });
  await new Promise<void>((resolve) => server.listen(o.port, o.host, resolve));
  return {
    fetches,
    policies,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
