// Interop with Postfix's own load tools: smtp-source → relayguard → smtp-sink.
// Every message smtp-source saw accepted must be counted at the sink exactly once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, rmSync, chmodSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { requireTool, longTests } from '../helpers/tools.js';
import { freePorts } from '../helpers/ports.js';
import { startProcess, stopAllProcesses, waitForPort, type OwnedProcess } from '../helpers/processes.js';
import { writeConfigDir } from '../helpers/config-dir.js';
import { startGatewayProcess } from './gateway-process.js';

const run = promisify(execFile);
const smtpSource = requireTool('smtp-source', 'postfix');
const smtpSink = requireTool('smtp-sink', 'postfix');

describe.skipIf(!smtpSource || !smtpSink)('Postfix smtp-source → relayguard → smtp-sink', () => {
  let tmp: string;
  let dumpDir: string;
  let gwPort: number;
  let sink: OwnedProcess;
  let gateway: OwnedProcess;

  beforeAll(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'rg-interop-'));
    chmodSync(tmp, 0o755); // smtp-sink writes as nobody: the path must be traversable
    dumpDir = join(tmp, 'sink');
    mkdirSync(dumpDir);
    chmodSync(dumpDir, 0o777); // smtp-sink drops privileges to nobody before writing dumps
    const [gw, sinkPort] = await freePorts(2);
    gwPort = gw!;
    const configDir = writeConfigDir(join(tmp, 'config'), {
      version: 1,
      gateway: { hostname: 'gw.example.test', listen: [{ address: '127.0.0.1', port: gwPort }] },
      upstreams: [{ name: 'loader', addresses: ['127.0.0.1/32'], mode: 'forward', tls: { starttls: 'disabled' } }],
      receivers: [{ name: 'sink', host: '127.0.0.1', port: sinkPort!, tls: { starttls: 'disabled' } }],
      routes: [{ domains: ['*'], receivers: ['sink'] }],
    });
    const args = process.getuid?.() === 0 ? ['-u', 'nobody'] : [];
    sink = startProcess(smtpSink!, [...args, '-d', join(dumpDir, 'm.'), `127.0.0.1:${sinkPort}`, '256']);
    await waitForPort(sinkPort!);
    gateway = await startGatewayProcess(configDir, gwPort);
  });

  afterAll(async () => {
    await gateway?.stop('SIGTERM');
    await sink?.stop('SIGTERM');
    await stopAllProcesses();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it('relays 1,000 messages over 10 parallel sessions, each delivered exactly once', async () => {
    const count = longTests ? 5000 : 1000;
    const { stdout, stderr } = await run(
      smtpSource!,
      ['-s', '10', '-m', String(count), '-l', '5000', '-f', 'sender@corp.example', '-t', 'rcpt@example.org', `127.0.0.1:${gwPort}`],
      { timeout: 120_000 },
    );
    // smtp-source prints a line per failed transaction; none expected.
    expect(`${stdout}${stderr}`).not.toMatch(/error|fatal|warning/i);

    const deadline = Date.now() + 30_000;
    let files: string[] = [];
    while (Date.now() < deadline) {
      files = readdirSync(dumpDir);
      if (files.length >= count) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(files.length).toBe(count);
    const messageIds = new Set<string>();
    for (const file of files) {
      const text = readFileSync(join(dumpDir, file), 'latin1');
      const id = /^Message-Id: (.+)$/im.exec(text)?.[1];
      expect(id, `message id in ${file}`).toBeDefined();
      messageIds.add(id!);
      expect(text).toMatch(/^X-Relayguard-Loop: /m);
    }
    expect(messageIds.size).toBe(count);
  });
});
