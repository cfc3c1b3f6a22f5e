import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildGraph } from './build.js';
import { describeGraph } from './describe.js';
import { renderGraph } from './render.js';
import { writeConfigDir } from '../../test/helpers/config-dir.js';

const base = mkdtempSync(join(tmpdir(), 'rg-graph-mx-'));
afterAll(() => rmSync(base, { recursive: true, force: true }));

describe('graph of mx receivers', () => {
  it('shows the route as "MX of the recipient domain" with its policy and resolvers', async () => {
    const dir = writeConfigDir(join(base, 'c'), {
      version: 1,
      gateway: { listen: [{ address: '127.0.0.1', port: 10025 }], dns: { servers: ['127.0.0.1:5353', '[::1]:53'], timeoutMs: 800 } },
      upstreams: [{ name: 'corp', addresses: ['127.0.0.1/32'], mode: 'forward', tls: { starttls: 'disabled' } }],
      receivers: [
        { name: 'internet', mx: 'recipient', tls: { policy: 'dane', fallback: 'verify' } },
        { name: 'smarthost', mx: 'relay.example.org', port: 587, tls: { policy: 'mta-sts' } },
      ],
      routes: [
        { domains: ['example.com'], receivers: ['smarthost'] },
        { domains: ['*'], receivers: ['internet'] },
      ],
    }, {});
    const built = await buildGraph(dir);
    expect(built.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const graph = built.graph!;
    const text = renderGraph(graph, 'text');
    expect(text).toContain('#2 * → internet (MX of the recipient domain) (failover)');
    expect(text).toContain('#1 example.com → smarthost (MX of relay.example.org)');
    expect(text).toContain('internet  MX of the recipient domain, port 25');
    expect(text).toContain('tls: policy dane, without a policy: verify; certificates verified against the system CAs');
    expect(text).toContain('dns: 127.0.0.1:5353, [::1]:53, timeout 800 ms');
    const d = describeGraph(graph);
    expect(d.receivers.find((r) => r.name === 'smarthost')?.mx).toMatchObject({ source: { domain: 'relay.example.org' }, policy: 'mta-sts', fallback: 'may' });
    expect(renderGraph(graph, 'mermaid')).toContain('MX of the recipient domain');
  });
});
