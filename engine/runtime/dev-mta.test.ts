import { afterEach, describe, expect, it, vi } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { freePorts } from '../../test/helpers/ports.js';
import { RecordingSender, newTestId, testMessage } from '../../test/helpers/accounting.js';
import { buildGraph } from '../graph/build.js';
import { devMtaTargets, startDevMail, tryItBanner } from './dev-mta.js';
import { topologyText } from '../../test/doubles/config-fixture.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
  vi.restoreAllMocks();
});

async function graphWith(receiverPort: number, listenPort: number) {
  const dir = mkdtempSync(join(tmpdir(), 'rg-dev-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'topology.yaml'), topologyText({ listen: [{ port: listenPort }], receiverPort }));
  const built = await buildGraph(dir);
  if (built.graph === undefined) throw new Error('fixture does not build');
  return { dir, graph: built.graph };
}

describe('dev capture MTAs', () => {
  it('targets loopback receivers and prints a swaks line for a loopback upstream', async () => {
    const { graph } = await graphWith(10930, 10925);
    expect(devMtaTargets(graph)).toEqual([{ name: 'mx', host: '127.0.0.1', port: 10930 }]);
    const banner = tryItBanner(graph, []);
    expect(banner).toContain('swaks --server 127.0.0.1:10925 --from alice@corp.example --to bob@');
    expect(banner).toContain('as upstream local (forward)');
  });

  it('writes each received message as an .eml file under var/dev-mail/<receiver>/', async () => {
    const [receiverPort = 0, listenPort = 0] = await freePorts(2);
    const { dir, graph } = await graphWith(receiverPort, listenPort);
    vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const dev = await startDevMail(graph, { logger: pino({ level: 'silent' }), root: dir });
    cleanups.push(() => dev.close());
    expect(dev.mtas.map((m) => [m.name, m.port, m.starttls])).toEqual([['mx', receiverPort, false]]);
    const sender = new RecordingSender({ port: receiverPort });
    const sent = await sender.send({ from: 'alice@corp.example', to: ['bob@example.org'] }, testMessage(newTestId(), { subject: 'captured' }));
    await sender.close();
    expect(sent.outcome).toBe('accepted');
    const box = join(dir, 'var', 'dev-mail', 'mx');
    const [file] = readdirSync(box);
    expect(readFileSync(join(box, file ?? ''), 'latin1')).toContain('Subject: captured');
  });

  it('leaves a port alone when something already listens there', async () => {
    const [receiverPort = 0, listenPort = 0] = await freePorts(2);
    const { dir, graph } = await graphWith(receiverPort, listenPort);
    vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const first = await startDevMail(graph, { logger: pino({ level: 'silent' }), root: dir });
    cleanups.push(() => first.close());
    const second = await startDevMail(graph, { logger: pino({ level: 'silent' }), root: dir });
    cleanups.push(() => second.close());
    expect(second.mtas).toEqual([]);
  });
});
