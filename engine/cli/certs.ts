// `relayguard certs ...`: the certificate toolbox (init, issue, import, list, probe).
import { existsSync, readFileSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import { InvalidArgumentError } from 'commander';
import type { Command } from 'commander';
import { describeCertificate, checkValidity } from '../tls/certificate-info.js';
import { certificateJson, certificateLines, displayPath } from '../tls/cert-format.js';
import { certDirLayout, defaultGatewayHostnames, initCertDir, isValidCertName, issuePeer, peerPaths, writeFileMode } from '../tls/cert-dir.js';
import { importCertificate } from '../tls/cert-import.js';
import { listCertificates } from '../tls/cert-list.js';
import { runProbeCheck } from '../tls/probe-check.js';
import { runMxProbe } from './certs-probe-mx.js';
import { describeVerificationFailure } from '../tls/trust.js';
import { findTopologyFile, readTopologyTlsRefs } from '../tls/topology-refs.js';

export interface CommandResult {
  readonly exitCode: number;
  /** For stdout. */
  readonly output: string;
  /** For stderr. */
  readonly errors?: string;
}

const DEFAULT_CONFIG_DIR = 'policies';

function failure(exitCode: number, error: { code: string; message: string; hint: string }): CommandResult {
  return { exitCode, output: '', errors: `error ${error.code}: ${error.message}\n  hint: ${error.hint}\n` };
}

function certSummary(pem: string): string[] {
  const cert = new X509Certificate(pem);
  return certificateLines(describeCertificate(cert), checkValidity(cert), '  ');
}

export interface InitFlags {
  readonly dir: string;
  readonly hostname: readonly string[];
  /** Config directory whose gateway.hostname the certificate names when --hostname is absent. */
  readonly config?: string;
  readonly ifMissing?: boolean;
  readonly quiet?: boolean;
  readonly force?: boolean;
  /** Also issue and trust the example config's peers (corp-postfix, mx-out-1, mx-out-2): `npm install` only. */
  readonly examplePeers?: boolean;
}

/** Without --hostname, the certificate names the topology's gateway.hostname (if any) and this machine. */
function initHostnames(flags: InitFlags): readonly string[] {
  if (flags.hostname.length > 0) return flags.hostname;
  const configDir = flags.config ?? (findTopologyFile(DEFAULT_CONFIG_DIR) ? DEFAULT_CONFIG_DIR : undefined);
  const topo = configDir !== undefined ? readTopologyTlsRefs(configDir) : undefined;
  const configured = topo?.ok ? topo.refs.gatewayHostname : undefined;
  return configured ? [configured, ...defaultGatewayHostnames()] : defaultGatewayHostnames();
}

export function runCertsInit(flags: InitFlags): CommandResult {
  // Re-running init never destroys keys: without --force an existing setup is kept (--if-missing only makes that explicit).
  const force = flags.force ?? false;
  const result = initCertDir({ dir: flags.dir, hostnames: initHostnames(flags), ifMissing: !force, force, examplePeers: flags.examplePeers ?? false });
  if (!result.ok) return failure(1, result.error);
  if (flags.quiet) return { exitCode: 0, output: '' };
  const layout = certDirLayout(flags.dir);
  if (result.skipped) {
    const existing = [`${layout.gatewayCert} exists; nothing changed (pass --force to replace the CA and gateway certificates)`, ...certSummary(readFileSync(layout.gatewayCert, 'utf8'))];
    return { exitCode: 0, output: existing.join('\n') + '\n' };
  }
  const lines = [
    ...result.written.map((p) => `wrote ${p}`),
    '',
    `gateway certificate ${layout.gatewayCert}:`,
    ...certSummary(readFileSync(layout.gatewayCert, 'utf8')),
    '',
    `next: name ${layout.gatewayCert} and ${layout.gatewayKey} in gateway.tls of topology.yaml;`,
    `      peer MTAs trust the gateway through ${layout.caCert} (or pin ${layout.gatewayCert}).`,
  ];
  return { exitCode: 0, output: lines.join('\n') + '\n' };
}

export interface IssueFlags {
  readonly dir: string;
  readonly hostname: readonly string[];
  readonly days?: number;
  readonly force?: boolean;
}

export function runCertsIssue(name: string, flags: IssueFlags): CommandResult {
  const result = issuePeer({ dir: flags.dir, name, hostnames: flags.hostname, force: flags.force ?? false, ...(flags.days ? { days: flags.days } : {}) });
  if (!result.ok) return failure(result.error.code === 'RG_CERTS_BAD_NAME' ? 2 : 1, result.error);
  const paths = peerPaths(certDirLayout(flags.dir), name);
  const lines = [
    ...result.written.map((p) => `wrote ${p}`),
    '',
    `certificate for ${name}:`,
    ...certSummary(readFileSync(paths.cert, 'utf8')),
    '',
    `install ${paths.cert} and ${paths.key} on the peer MTA; the gateway trusts it through ${certDirLayout(flags.dir).caCert} in its tls.trust,`,
    `or pin it: relayguard certs import ${paths.cert} --name ${name} --dir ${flags.dir} (writes ${paths.trusted}).`,
  ];
  return { exitCode: 0, output: lines.join('\n') + '\n' };
}

export interface ImportFlags {
  readonly dir: string;
  readonly name: string;
  readonly password?: string;
  readonly force?: boolean;
  readonly withCa?: boolean;
}

export function runCertsImport(file: string, flags: ImportFlags): CommandResult {
  const result = importCertificate({ dir: flags.dir, file, name: flags.name, force: flags.force ?? false, withCa: flags.withCa ?? false, ...(flags.password !== undefined ? { password: flags.password } : {}) });
  if (!result.ok) return failure(result.error.code === 'RG_CERTS_BAD_NAME' ? 2 : 1, result.error);
  const lines = [`imported ${result.certificates.length} certificate(s) from ${file} (${result.source}) into ${result.path}`, ...result.notes.map((n) => `note: ${n}`)];
  for (const cert of result.certificates) lines.push('', ...certificateLines(describeCertificate(cert), checkValidity(cert), '  '));
  lines.push('', `next: list ${result.path} (relative to topology.yaml) in upstreams[${flags.name}].tls.trust or receivers[${flags.name}].tls.trust`);
  return { exitCode: 0, output: lines.join('\n') + '\n' };
}

export interface ListFlags {
  readonly dir: string;
  readonly json?: boolean;
  readonly config?: string;
}

export function runCertsList(flags: ListFlags): CommandResult {
  const configDir = flags.config ?? (findTopologyFile(DEFAULT_CONFIG_DIR) ? DEFAULT_CONFIG_DIR : undefined);
  if (!existsSync(flags.dir) && configDir === undefined) {
    return failure(2, { code: 'RG_CERTS_NO_DIR', message: `${flags.dir} does not exist`, hint: 'create it with: relayguard certs init, or pass --dir' });
  }
  const listing = listCertificates({ dir: flags.dir, ...(configDir !== undefined ? { configDir } : {}) });
  if (flags.json) {
    const json = {
      topology: listing.topology ?? null,
      gatewayKey: listing.gatewayKey ?? null,
      certificates: listing.certificates.map((c) => ({ file: c.file, index: c.index, ...certificateJson(c.info, c.status), usedBy: c.usedBy })),
      problems: listing.problems,
    };
    return { exitCode: 0, output: JSON.stringify(json, null, 2) + '\n' };
  }
  const lines: string[] = [];
  const unused = listing.topology !== undefined && 'file' in listing.topology ? '(not referenced by the topology)' : '(no topology read; pass --config DIR)';
  for (const c of listing.certificates) {
    lines.push(`${c.file}${c.index > 0 ? ` [${c.index}]` : ''}`, ...certificateLines(c.info, c.status), `  used by   ${c.usedBy.length > 0 ? c.usedBy.join(', ') : unused}`, '');
  }
  for (const p of listing.problems) lines.push(`${p.file}`, `  problem   ${p.code}: ${p.message}`, `  hint      ${p.hint}`, ...(p.usedBy.length > 0 ? [`  used by   ${p.usedBy.join(', ')}`] : []), '');
  const key = listing.gatewayKey;
  if (key) lines.push(`gateway key ${key.file} (gateway.tls.key): ${key.status === 'matches' ? 'matches gateway.tls.certificate' : (key.message ?? key.status)}`, '');
  const warn = listing.certificates.filter((c) => c.status !== 'valid').length;
  const topo = listing.topology === undefined ? 'no topology read' : 'file' in listing.topology ? `references from ${listing.topology.file}` : `topology not read: ${listing.topology.problem}`;
  lines.push(`${listing.certificates.length} certificate(s), ${warn} with an expiry warning, ${listing.problems.length} problem file(s); ${topo}`);
  return { exitCode: 0, output: lines.join('\n') + '\n' };
}

export interface ProbeFlags {
  readonly starttls?: boolean;
  readonly servername?: string;
  readonly config?: string;
  readonly trust: readonly string[];
  readonly save?: string;
  readonly dir: string;
  readonly timeout: number;
  readonly force?: boolean;
  /** --mx DOMAIN: probe the domain's MX hosts instead of HOST:PORT (certs-probe-mx.ts). */
  readonly mx?: string;
  readonly dns?: readonly string[];
  readonly port?: number;
  readonly mtaStsPort?: number;
}

export function parseHostPort(target: string): { host: string; port: number } | undefined {
  const match = /^\[([^\]]+)\]:(\d+)$/.exec(target) ?? /^([^:[\]]+):(\d+)$/.exec(target);
  const port = Number(match?.[2]);
  if (!match?.[1] || !Number.isInteger(port) || port < 1 || port > 65535) return undefined;
  return { host: match[1], port };
}

export async function runCertsProbe(target: string | undefined, flags: ProbeFlags): Promise<CommandResult> {
  if (flags.mx !== undefined) return runMxProbe(flags.mx, { dns: flags.dns ?? [], port: flags.port ?? 25, mtaStsPort: flags.mtaStsPort ?? 443, trust: flags.trust, timeout: flags.timeout });
  if (target === undefined) return failure(2, { code: 'RG_CERTS_USAGE', message: 'certs probe needs HOST:PORT or --mx DOMAIN', hint: 'e.g. relayguard certs probe 127.0.0.1:10026 --starttls, or relayguard certs probe --mx example.org' });
  const address = parseHostPort(target);
  if (!address) return failure(2, { code: 'RG_CERTS_USAGE', message: `"${target}" is not HOST:PORT`, hint: 'e.g. relayguard certs probe 127.0.0.1:10026 --starttls' });
  if (flags.save !== undefined && !isValidCertName(flags.save)) {
    return failure(2, { code: 'RG_CERTS_BAD_NAME', message: `"${flags.save}" is not a usable certificate name`, hint: 'use letters, digits, ".", "_" and "-"' });
  }
  const configDir = flags.config ?? (findTopologyFile(DEFAULT_CONFIG_DIR) ? DEFAULT_CONFIG_DIR : undefined);
  const check = await runProbeCheck({
    ...address,
    starttls: flags.starttls ?? false,
    trust: flags.trust,
    certDir: flags.dir,
    timeoutMs: flags.timeout,
    ...(flags.servername ? { servername: flags.servername } : {}),
    ...(configDir !== undefined ? { configDir } : {}),
  });
  const lines = check.notes.map((n) => `note: ${n}`);
  if (!check.probe.ok) return { exitCode: 1, output: lines.length > 0 ? lines.join('\n') + '\n' : '', errors: failure(1, check.probe.error).errors ?? '' };
  const probe = check.probe;
  lines.push(`connected to ${target}${flags.starttls ? ' with STARTTLS' : ' with TLS'}: ${probe.protocol}, ${probe.cipher}`);
  if (probe.banner) lines.push(`banner: ${probe.banner}`);
  lines.push(`certificate chain presented (${probe.chain.length}):`);
  probe.chain.forEach((cert, i) => lines.push(`[${i}]`, ...certificateLines(describeCertificate(cert), checkValidity(cert))));
  const verdict = verdictLines(check, target, flags);
  lines.push(...verdict.lines);
  if (flags.save === undefined) return { exitCode: verdict.trusted ? 0 : 1, output: lines.join('\n') + '\n' };
  const saved = saveLeaf(probe.chain[0], flags.save, flags);
  lines.push(saved.line);
  return { exitCode: saved.ok ? 0 : 1, output: lines.join('\n') + '\n' };
}

function verdictLines(check: Awaited<ReturnType<typeof runProbeCheck>>, target: string, flags: ProbeFlags): { trusted: boolean; lines: string[] } {
  const lines: string[] = [];
  const key = trustListLabel(check, flags.dir);
  for (const p of check.trustProblems) lines.push(`trust file problem ${p.code}: ${p.message} (${p.hint})`);
  if (check.trustFiles.length === 0) {
    lines.push(`verdict: NOT TRUSTED: no trust list for ${target}; pass --trust FILE, --config DIR whose topology has a receiver or reflect listener at this address, or import certificates into ${flags.dir}/trusted`);
    return { trusted: false, lines };
  }
  lines.push(`trust list ${key}: ${check.trustFiles.map(displayPath).join(', ')}`);
  if (check.hostnameChecked) lines.push(`hostname checked: ${check.hostnameChecked}`);
  const v = check.verification;
  if (!v) return { trusted: false, lines: [...lines, 'verdict: NOT TRUSTED: not verified'] };
  if (v.ok) return { trusted: true, lines: [...lines, `verdict: TRUSTED (${v.via === 'pinned' ? 'pinned certificate' : 'chain to a trusted CA'})`] };
  const text = describeVerificationFailure(v, {
    leg: 'receiving',
    peerName: check.peer?.name ?? flags.save ?? 'NAME',
    address: target,
    trustFiles: check.trustFiles.map(displayPath),
    starttls: flags.starttls ?? false,
    ...(check.peer ? { trustKey: check.peer.trustKey } : {}),
  });
  return { trusted: false, lines: [...lines, `verdict: NOT TRUSTED (${v.code}): ${v.message}`, `hint: ${text.hint}`] };
}

function trustListLabel(check: Awaited<ReturnType<typeof runProbeCheck>>, dir: string): string {
  switch (check.trustSource) {
    case 'option':
      return '(--trust)';
    case 'topology':
      return check.peer?.trustKey ?? '(topology)';
    case 'cert-dir':
      return `(no topology entry for this address; using every certificate in ${dir}/trusted and the local CA)`;
    case 'none':
      return '(none)';
    default: {
      const never: never = check.trustSource;
      throw new Error(`unhandled trust source ${String(never)}`);
    }
  }
}

function saveLeaf(leaf: X509Certificate | undefined, name: string, flags: ProbeFlags): { ok: boolean; line: string } {
  if (!leaf) return { ok: false, line: 'not saved: the peer presented no certificate' };
  const path = peerPaths(certDirLayout(flags.dir), name).trusted;
  const pem = leaf.toString();
  if (existsSync(path)) {
    if (readFileSync(path, 'utf8') === pem) return { ok: true, line: `saved: ${path} already holds this certificate` };
    if (!flags.force) return { ok: false, line: `not saved: ${path} exists with another certificate; pass --force to replace it` };
  }
  writeFileMode(path, pem, 0o644);
  return { ok: true, line: `saved the peer's certificate to ${path} (pinned); list it in the peer's tls.trust in topology.yaml` };
}

function collect(value: string, previous: readonly string[]): string[] {
  return [...previous, value];
}

function emit(result: CommandResult): void {
  if (result.output) process.stdout.write(result.output);
  if (result.errors) process.stderr.write(result.errors);
  process.exitCode = result.exitCode;
}

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError(`not a positive integer: ${value}`);
  return n;
}

export function register(program: Command): void {
  const certs = program.command('certs').description('certificate toolbox: local CA, peer certificates, import, list, probe');
  certs
    .command('init')
    .description("create a local CA and the gateway's key and certificate as PEM")
    .option('--dir <dir>', 'certificate directory', 'certs')
    .option('--hostname <name>', 'gateway host name (repeatable; first is the CN; default: gateway.hostname of the topology, and this host)', collect, [])
    .option('--config <dir>', 'config directory whose gateway.hostname to use (default: policies if present)')
    .option('--if-missing', 'do nothing when the gateway certificate exists (also the default without --force)')
    .option('--force', 'replace existing files')
    .option('--example-peers', "also issue and trust the example config's peers (corp-postfix, mx-out-1, mx-out-2) under peers/ and trusted/; for the development set-up only")
    .option('--quiet', 'print nothing on success')
    .action((opts: InitFlags) => emit(runCertsInit(opts)));
  certs
    .command('issue <name>')
    .description('key + certificate for a peer MTA, signed by the local CA')
    .option('--hostname <name>', 'peer host name or IP (repeatable)', collect, [])
    .option('--dir <dir>', 'certificate directory', 'certs')
    .option('--days <n>', 'validity in days', positiveInt)
    .option('--force', 'replace an existing certificate')
    .action((name: string, opts: IssueFlags) => emit(runCertsIssue(name, opts)));
  certs
    .command('import <file>')
    .description("add a peer's public certificate to DIR/trusted/NAME.crt.pem (PEM, DER or PKCS#12)")
    .requiredOption('--name <name>', 'peer name (file name under trusted/)')
    .option('--dir <dir>', 'certificate directory', 'certs')
    .option('--password <password>', 'PKCS#12 password')
    .option('--with-ca', 'also trust CA certificates found in the file')
    .option('--force', 'replace an existing file')
    .action((file: string, opts: ImportFlags) => emit(runCertsImport(file, opts)));
  certs
    .command('list')
    .description('every certificate: subject, issuer, SANs, SHA-256, validity, expiry warning, topology references')
    .option('--dir <dir>', 'certificate directory', 'certs')
    .option('--config <dir>', 'config directory whose topology references are shown (default: policies if present)')
    .option('--json', 'JSON output')
    .action((opts: ListFlags) => emit(runCertsList(opts)));
  certs
    .command('probe [target]')
    .description("connect to HOST:PORT like the gateway would and check the peer's certificate against the trust list")
    .option('--starttls', 'speak SMTP and upgrade with STARTTLS (default: TLS from the first byte)')
    .option('--servername <name>', 'SNI name (also checked against the certificate)')
    .option('--config <dir>', 'config directory (default: policies if present)')
    .option('--trust <file>', 'trust file (repeatable); replaces the topology trust list', collect, [])
    .option('--save <name>', "save the peer's certificate to DIR/trusted/NAME.crt.pem")
    .option('--dir <dir>', 'certificate directory for --save, and whose trusted/ files and CA are the fallback trust list', 'certs')
    .option('--timeout <ms>', 'connect and handshake timeout', positiveInt, 10_000)
    .option('--force', 'with --save: replace an existing different certificate')
    .option('--mx <domain>', "probe each MX host of DOMAIN over STARTTLS and show what every MX TLS policy would decide")
    .option('--dns <server>', 'with --mx: resolver IP[:PORT] (repeatable; only these are trusted for DANE)', collect, [])
    .option('--port <n>', 'with --mx: SMTP port of the MX hosts', positiveInt, 25)
    .option('--mta-sts-port <n>', 'with --mx: HTTPS port of the MTA-STS policy host', positiveInt, 443)
    .action(async (target: string | undefined, opts: ProbeFlags) => emit(await runCertsProbe(target, opts)));
}
