// The deployment files stay consistent with each other and with the product: Kubernetes manifests,
// the Kubernetes config directory, the example topology, the Dockerfile and the CI workflow.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, posix, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, parseAllDocuments } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runTest } from '../../engine/cli/test.js';
import { buildGraph } from '../../engine/graph/build.js';
import { createMetrics } from '../../engine/runtime/metrics.js';
import { makeTestPki } from '../helpers/pki.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const K8S = join(ROOT, 'deploy/kubernetes');
const CONFIG_MOUNT = '/etc/relayguard';
const CERTS_MOUNT = '/etc/relayguard-certs';

type Doc = Record<string, any>;

function yamlFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return yamlFiles(path);
    return /\.ya?ml$/.test(name) ? [path] : [];
  });
}

function docsOf(file: string): Doc[] {
  return parseAllDocuments(readFileSync(file, 'utf8')).map((d) => {
    if (d.errors.length > 0) throw new Error(`${file}: ${d.errors[0]?.message}`);
    return d.toJS() as Doc;
  });
}

const allFiles = yamlFiles(K8S);
const manifests = allFiles.flatMap((file) => docsOf(file).map((doc) => ({ file: relative(K8S, file), doc }))).filter((m) => typeof m.doc?.['kind'] === 'string');
const ofKind = (kind: string) => manifests.filter((m) => m.doc['kind'] === kind).map((m) => m.doc);
const one = (kind: string, name?: string): Doc => {
  const found = ofKind(kind).filter((d) => name === undefined || d['metadata']?.['name'] === name);
  if (found.length !== 1) throw new Error(`expected one ${kind}${name ? ` ${name}` : ''}, found ${found.length}`);
  return found[0] as Doc;
};

const kustomization = parse(readFileSync(join(K8S, 'kustomization.yaml'), 'utf8')) as Doc;
const deployment = one('Deployment', 'relayguard');
const pod = deployment['spec']['template']['spec'] as Doc;
const container = (pod['containers'] as Doc[])[0] as Doc;
const k8sTopology = parse(readFileSync(join(K8S, 'relayguard/topology.yaml'), 'utf8')) as Doc;
const exampleTopology = parse(readFileSync(join(ROOT, 'policies/topology.yaml'), 'utf8')) as Doc;
const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');

function containerPort(name: string): number {
  const port = (container['ports'] as Doc[]).find((p) => p['name'] === name);
  if (!port) throw new Error(`no container port named ${name}`);
  return port['containerPort'] as number;
}

/** Dockerfile instructions of the final stage, continuation lines joined. */
function finalStage(): { op: string; args: string }[] {
  const lines = dockerfile.replace(/\\\n/g, ' ').split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));
  const instructions = lines.map((l) => ({ op: (l.split(/\s+/, 1)[0] ?? '').toUpperCase(), args: l.slice(l.indexOf(' ') + 1).trim() }));
  const lastFrom = instructions.map((i) => i.op).lastIndexOf('FROM');
  return instructions.slice(lastFrom);
}

const stage = finalStage();
const instruction = (op: string) => stage.filter((i) => i.op === op).map((i) => i.args);
const execForm = (op: string): string[] => {
  const args = instruction(op).at(-1);
  if (args === undefined) throw new Error(`Dockerfile has no ${op}`);
  return JSON.parse(args) as string[];
};

describe('Kubernetes manifests', () => {
  it('parse, and hold the kinds a deployment needs', () => {
    const kinds = new Set(manifests.map((m) => m.doc['kind']));
    for (const kind of ['Kustomization', 'Deployment', 'Service', 'PodDisruptionBudget', 'HorizontalPodAutoscaler', 'ServiceAccount', 'ServiceMonitor', 'PrometheusRule']) {
      expect(kinds, kind).toContain(kind);
    }
  });

  it('list every manifest file in the kustomization, and only files that exist', () => {
    const resources = kustomization['resources'] as string[];
    for (const r of resources) expect(existsSync(join(K8S, r)), r).toBe(true);
    const topLevel = manifests.filter((m) => !m.file.includes('/') && m.doc['kind'] !== 'Kustomization').map((m) => m.file);
    expect(new Set(resources)).toEqual(new Set(topLevel));
    expect(kustomization['namespace']).toBeUndefined();
  });

  it('put every config file into the ConfigMap (topology and each policy file)', () => {
    const generator = (kustomization['configMapGenerator'] as Doc[]).find((g) => g['name'] === 'relayguard-config') as Doc;
    const configFiles = readdirSync(join(K8S, 'relayguard')).filter((f) => /^topology\.ya?ml$|\.policy\.(ya?ml|json)$/.test(f)).map((f) => `relayguard/${f}`);
    expect(new Set(generator['files'] as string[])).toEqual(new Set(configFiles));
    // In-place updates, so the ..data swap reaches the running gateway (hot reload).
    expect(generator['options']?.['disableNameSuffixHash']).toBe(true);
  });

  it('use the example topology ports for the SMTP and admin container ports', () => {
    const smtp = (exampleTopology['gateway']['listen'] as Doc[])[0]?.['port'];
    const admin = exampleTopology['gateway']['admin']['port'];
    expect(containerPort('smtp')).toBe(smtp);
    expect(containerPort('admin')).toBe(admin);
    expect((k8sTopology['gateway']['listen'] as Doc[]).map((l) => l['port'])).toEqual([smtp]);
    expect(k8sTopology['gateway']['admin']['port']).toBe(admin);
    // Pod IP, not loopback: kubelet probes and the Services reach the pod's address.
    expect(k8sTopology['gateway']['admin']['address']).toBe('0.0.0.0');
  });

  it('probe /readyz for readiness and /healthz for liveness on the admin port', () => {
    expect(container['readinessProbe']['httpGet']).toMatchObject({ path: '/readyz', port: 'admin' });
    expect(container['livenessProbe']['httpGet']).toMatchObject({ path: '/healthz', port: 'admin' });
    if (container['startupProbe']) expect(container['startupProbe']['httpGet']['path']).toBe('/healthz');
    // an HTTPS admin listener answers a plain-HTTP probe with nothing: the pod would never be ready
    const scheme = k8sTopology['gateway']['admin']['tls'] ? 'HTTPS' : 'HTTP';
    for (const probe of ['readinessProbe', 'livenessProbe', 'startupProbe']) if (container[probe]) expect(container[probe]['httpGet']['scheme'] ?? 'HTTP', probe).toBe(scheme);
  });

  it('run as non-root with a read-only root filesystem and no privilege escalation', () => {
    expect(pod['securityContext']['runAsNonRoot']).toBe(true);
    expect(pod['securityContext']['runAsUser']).toBeGreaterThan(0);
    const sc = container['securityContext'] as Doc;
    expect(sc['readOnlyRootFilesystem']).toBe(true);
    expect(sc['allowPrivilegeEscalation']).toBe(false);
    expect(sc['capabilities']['drop']).toContain('ALL');
    expect(pod['automountServiceAccountToken']).toBe(false);
    expect(container['resources']['requests']).toBeDefined();
    expect(container['resources']['limits']['memory']).toBeDefined();
  });

  it('wait longer than the drain grace before killing the pod', () => {
    const graceMs = (k8sTopology['gateway']['drain']?.['graceMs'] as number | undefined) ?? 30_000;
    expect(pod['terminationGracePeriodSeconds']).toBeGreaterThan(graceMs / 1000);
  });

  it('mount the config where the image CMD serves from, whole-directory (no subPath), read-only', () => {
    const mounts = container['volumeMounts'] as Doc[];
    const volumes = new Map((pod['volumes'] as Doc[]).map((v) => [v['name'] as string, v]));
    const cmd = execForm('CMD');
    expect(cmd).toEqual(['serve', CONFIG_MOUNT]);
    // the image's CMD, optionally followed by serve flags (the manifest pins --workers)
    const args = (container['args'] as string[] | undefined) ?? cmd;
    expect(args.slice(0, cmd.length)).toEqual(cmd);
    expect(args.slice(cmd.length).every((a) => a.startsWith('--') || /^\w+$/.test(a))).toBe(true);
    const config = mounts.find((m) => m['mountPath'] === CONFIG_MOUNT) as Doc;
    expect(config['readOnly']).toBe(true);
    expect(volumes.get(config['name'])?.['configMap']?.['name']).toBe('relayguard-config');
    const certs = mounts.find((m) => m['mountPath'] === CERTS_MOUNT) as Doc;
    const sources = volumes.get(certs['name'])?.['projected']?.['sources'] as Doc[];
    expect(sources.map((s) => s['secret']?.['name'] ?? s['configMap']?.['name'])).toEqual(['relayguard-tls', 'relayguard-trust']);
    for (const m of mounts) expect(m['subPath'], m['mountPath']).toBeUndefined();
  });

  it('resolve every file the Kubernetes topology names into a mounted volume, writable where it writes', () => {
    const mounts = (container['volumeMounts'] as Doc[]).map((m) => ({ path: m['mountPath'] as string, readOnly: m['readOnly'] === true }));
    const mountOf = (path: string) => mounts.filter((m) => path === m.path || path.startsWith(`${m.path}/`)).sort((a, b) => b.path.length - a.path.length)[0];
    const abs = (p: string) => posix.resolve(CONFIG_MOUNT, p);
    const g = k8sTopology['gateway'];
    const readFiles = [g['tls']['certificate'], g['tls']['key'], ...[...(k8sTopology['upstreams'] as Doc[]), ...(k8sTopology['receivers'] as Doc[])].flatMap((e) => (e['tls']?.['trust'] as string[] | undefined) ?? [])];
    for (const file of readFiles) expect(mountOf(abs(file))?.path, file).toBe(CERTS_MOUNT);
    const incidentFiles = ((g['incidents']['sinks'] as Doc[] | undefined) ?? [{ path: g['incidents']['path'] }]).filter((s) => s['type'] !== 'syslog').map((s) => s['path'] as string);
    const token = g['admin']['auth']?.['bearerTokenFile'] as string | undefined;
    if (token !== undefined) expect(mountOf(abs(token))?.path, token).toBe('/etc/relayguard-admin');
    const adminTls = g['admin']['tls'] as Record<string, string> | undefined;
    for (const file of adminTls ? [adminTls['certificate'], adminTls['key'], adminTls['clientCa']].filter((f) => f !== undefined) : []) expect(mountOf(abs(file))?.path, file).toBe('/etc/relayguard-admin');
    for (const written of [...incidentFiles, `${g['spool']['dir']}/x`]) {
      const m = mountOf(abs(written));
      expect(m, written).toBeDefined();
      expect(m?.readOnly, written).toBe(false);
    }
  });

  it('list a tight set of upstreams, each with STARTTLS and a client certificate required', () => {
    for (const u of k8sTopology['upstreams'] as Doc[]) {
      expect(u['tls'], u['name']).toMatchObject({ starttls: 'required', clientCertificate: 'required' });
      for (const a of u['addresses'] as string[]) {
        const prefix = Number(a.split('/')[1] ?? (a.includes(':') ? 128 : 32));
        expect(prefix, `${u['name']} ${a}`).toBeGreaterThanOrEqual(a.includes(':') ? 120 : 28);
      }
    }
  });

  it('admit SMTP only from the upstreams and the admin port only from the monitoring namespace', () => {
    const policy = one('NetworkPolicy', 'relayguard');
    expect(deployment['spec']['template']['metadata']['labels']).toMatchObject(policy['spec']['podSelector']['matchLabels']);
    expect(policy['spec']['policyTypes']).toContain('Ingress');
    const rules = policy['spec']['ingress'] as Doc[];
    const forPort = (port: string) => rules.filter((r) => (r['ports'] as Doc[]).some((p) => p['port'] === port));
    expect(rules.every((r) => Array.isArray(r['ports']) && Array.isArray(r['from']) && (r['from'] as Doc[]).length > 0)).toBe(true);
    const smtp = forPort('smtp');
    expect(smtp).toHaveLength(1);
    const cidrs = (smtp[0]?.['from'] as Doc[]).map((f) => f['ipBlock']?.['cidr']).sort();
    const upstreamAddresses = (k8sTopology['upstreams'] as Doc[]).flatMap((u) => u['addresses'] as string[]).map((a) => (a.includes('/') ? a : `${a}/32`)).sort();
    expect(cidrs).toEqual(upstreamAddresses);
    const admin = forPort('admin');
    expect(admin).toHaveLength(1);
    for (const from of admin[0]?.['from'] as Doc[]) {
      expect(from['ipBlock']).toBeUndefined();
      expect(from['namespaceSelector']?.['matchLabels']).toEqual({ 'kubernetes.io/metadata.name': 'monitoring' });
    }
    const ports = (container['ports'] as Doc[]).map((p) => p['name']);
    expect(ports).toEqual(expect.arrayContaining(['smtp', 'admin']));
  });

  it('protect /status with the bearer token; only the probes open without a token or client certificate', () => {
    const auth = k8sTopology['gateway']['admin']['auth'] as Doc;
    expect(auth['bearerTokenFile']).toBeDefined();
    expect(auth['open']).not.toContain('/status');
  });

  it('serve the admin port over HTTPS with client certificates from the admin CA; Prometheus scrapes with one', () => {
    const tls = k8sTopology['gateway']['admin']['tls'] as Doc;
    expect(tls).toMatchObject({ certificate: expect.any(String), key: expect.any(String), clientCa: expect.any(String) });
    // kubelet probes present no certificate: optional mode, and then only the probes may be open
    expect(tls['requireClientCertificate']).toBe(false);
    expect(k8sTopology['gateway']['admin']['auth']['open']).toEqual(['/healthz', '/readyz']);
    const endpoint = one('ServiceMonitor')['spec']['endpoints'][0] as Doc;
    expect(endpoint['scheme']).toBe('https');
    expect(endpoint['tlsConfig']).toMatchObject({ cert: expect.anything(), keySecret: expect.anything(), ca: expect.anything() });
  });

  it('route the Services to the named container ports, SMTP and admin apart', () => {
    const smtp = one('Service', 'relayguard');
    const admin = one('Service', 'relayguard-admin');
    expect((smtp['spec']['ports'] as Doc[]).map((p) => p['targetPort'])).toEqual(['smtp']);
    expect((admin['spec']['ports'] as Doc[]).map((p) => p['targetPort'])).toEqual(['admin']);
    const podLabels = deployment['spec']['template']['metadata']['labels'] as Doc;
    for (const selector of [smtp['spec']['selector'], admin['spec']['selector'], one('PodDisruptionBudget')['spec']['selector']['matchLabels'], deployment['spec']['selector']['matchLabels']]) {
      expect(podLabels).toMatchObject(selector as Doc);
    }
    const monitor = one('ServiceMonitor');
    expect(admin['metadata']['labels']).toMatchObject(monitor['spec']['selector']['matchLabels']);
    expect(monitor['spec']['endpoints'][0]).toMatchObject({ port: 'admin', path: '/metrics' });
  });

  it('scale the Deployment on a metric relayguard exports, and alert only on exported metrics', async () => {
    const exported = await createMetrics().render();
    const hpa = one('HorizontalPodAutoscaler');
    expect(hpa['spec']['scaleTargetRef']).toMatchObject({ kind: 'Deployment', name: 'relayguard' });
    expect(hpa['spec']['minReplicas']).toBeGreaterThanOrEqual(2);
    // The autoscaler owns the replica count; one in the Deployment would be reset by every GitOps sync.
    expect(deployment['spec']['replicas']).toBeUndefined();
    const metric = hpa['spec']['metrics'][0]['pods']['metric']['name'] as string;
    expect(exported).toContain(`# TYPE ${metric} `);
    const rules = (one('PrometheusRule')['spec']['groups'] as Doc[]).flatMap((g) => g['rules'] as Doc[]);
    for (const rule of rules) {
      for (const name of String(rule['expr']).match(/relayguard_[a-z_]+/g) ?? []) expect(exported, `${rule['alert']}: ${name}`).toContain(`# TYPE ${name} `);
    }
  });
});

describe('Kubernetes config directory', () => {
  let dir: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'relayguard-k8s-config-'));
  });

  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('is a valid relayguard config once the certificates it names exist, and its policy tests pass', async () => {
    // The pod's layout: relayguard/ beside relayguard-certs/, with real certificates under the names the topology uses.
    cpSync(join(K8S, 'relayguard'), join(dir, 'relayguard'), { recursive: true });
    const pki = makeTestPki(join(dir, 'relayguard-certs'));
    for (const peer of ['corp-postfix', 'partner-relay', 'mx-out-1', 'mx-out-2', 'syslog-collector-ca']) pki.issue(peer, [`${peer}.example.test`]);
    mkdirSync(join(dir, 'relayguard-admin'));
    writeFileSync(join(dir, 'relayguard-admin', 'token'), 'k8s-example-token-0123456789abcdef\n');
    // the Secret relayguard-admin-tls as the projected volume lays it out
    writeFileSync(join(dir, 'relayguard-admin', 'tls.crt'), pki.gateway.certPem);
    writeFileSync(join(dir, 'relayguard-admin', 'tls.key'), pki.gateway.keyPem);
    writeFileSync(join(dir, 'relayguard-admin', 'client-ca.crt'), pki.ca.certPem);
    const built = await buildGraph(join(dir, 'relayguard'));
    expect(built.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(built.status).toBe('valid');
    const tests = await runTest(join(dir, 'relayguard'));
    expect(tests.stdout + tests.stderr).toMatch(/[1-9]\d* passed, 0 failed/);
    expect(tests.exitCode).toBe(0);
  });
});

describe('Dockerfile', () => {
  it('runs node directly on the launcher, never through npm or npx', () => {
    expect(execForm('ENTRYPOINT')).toEqual(['node', 'bin/relayguard.js']);
    for (const op of ['ENTRYPOINT', 'CMD']) expect(instruction(op).join(' ')).not.toMatch(/\bnpx?\b/);
  });

  it('switches to a non-root user in the final stage, matching the pod securityContext', () => {
    const user = instruction('USER').at(-1) ?? 'root';
    const [uid, gid] = user.split(':');
    expect(uid).not.toMatch(/^(root|0)$/);
    expect(Number(uid)).toBe(pod['securityContext']['runAsUser']);
    expect(Number(gid)).toBe(pod['securityContext']['runAsGroup']);
  });

  it('builds on a Node LTS image, installs with npm ci and prunes dev dependencies', () => {
    expect(dockerfile).toMatch(/node:(20|22|24)-/);
    expect(dockerfile).toMatch(/npm ci\b/);
    expect(dockerfile).toMatch(/npm prune --omit=dev/);
  });

  it('exposes the SMTP and admin ports', () => {
    const exposed = instruction('EXPOSE').join(' ').split(/\s+/).map(Number);
    expect(exposed).toEqual(expect.arrayContaining([containerPort('smtp'), containerPort('admin')]));
  });

  it('copies only paths that exist and that .dockerignore lets through', () => {
    const ignored = readFileSync(join(ROOT, '.dockerignore'), 'utf8').split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));
    const copies = dockerfile.split('\n').filter((l) => /^COPY\s/.test(l) && !l.includes('--from='));
    expect(copies.length).toBeGreaterThan(0);
    for (const line of copies) {
      const parts = line.trim().split(/\s+/).slice(1, -1);
      for (const src of parts) {
        expect(existsSync(join(ROOT, src)), src).toBe(true);
        expect(ignored, src).not.toContain(src);
      }
    }
    for (const must of ['node_modules', 'dist', 'certs', '.git']) expect(ignored).toContain(must);
  });
});

describe('GitOps workflow example', () => {
  it('validates with GitHub annotations, runs the policy tests and plans against the target branch', () => {
    const workflow = parse(readFileSync(join(ROOT, 'deploy/github/relayguard-config.yml'), 'utf8')) as Doc;
    const steps = Object.values(workflow['jobs'] as Doc).flatMap((job) => job['steps'] as Doc[]);
    const runs = steps.map((s) => String(s['run'] ?? '')).join('\n');
    expect(runs).toMatch(/npx relayguard validate \S+ --format github/);
    expect(runs).toMatch(/npx relayguard test \S+/);
    expect(runs).toMatch(/npx relayguard plan \S+ \S+/);
    expect(runs).toContain('base_ref'.toUpperCase());
    expect(workflow['on']).toHaveProperty('pull_request');
  });

  it('is the same workflow that docs/gitops.md shows', () => {
    const doc = readFileSync(join(ROOT, 'docs/gitops.md'), 'utf8');
    const workflow = readFileSync(join(ROOT, 'deploy/github/relayguard-config.yml'), 'utf8');
    expect(doc).toContain(workflow.trim());
  });
});

describe('kustomize build', () => {
  const kubectl = ['/usr/bin/kubectl', '/usr/local/bin/kubectl'].find((p) => existsSync(p));
  const required = process.env['RELAYGUARD_REQUIRE_TOOLS'] === '1';

  it.skipIf(kubectl === undefined && !required)('renders the base with the generated ConfigMaps wired into the Deployment', () => {
    if (kubectl === undefined) throw new Error('kubectl not installed (RELAYGUARD_REQUIRE_TOOLS=1)');
    const out = execFileSync(kubectl, ['kustomize', K8S], { encoding: 'utf8' });
    const rendered = parseAllDocuments(out).map((d) => d.toJS() as Doc);
    const config = rendered.find((d) => d['kind'] === 'ConfigMap' && d['metadata']['name'] === 'relayguard-config') as Doc;
    expect(Object.keys(config['data'] as Doc)).toEqual(expect.arrayContaining(['topology.yaml', 'dlp.policy.yaml']));
    const dep = rendered.find((d) => d['kind'] === 'Deployment') as Doc;
    expect(dep['spec']['template']['spec']['containers'][0]['image']).toMatch(/relayguard:/);
    expect(rendered.find((d) => d['kind'] === 'ConfigMap' && d['metadata']['name'] === 'relayguard-trust')).toBeDefined();
  });

  it.skipIf(kubectl === undefined && !required)('renders the production overlay shown in docs/gitops.md', () => {
    if (kubectl === undefined) throw new Error('kubectl not installed (RELAYGUARD_REQUIRE_TOOLS=1)');
    const doc = readFileSync(join(ROOT, 'docs/gitops.md'), 'utf8');
    const overlay = /```yaml\n(# overlays\/production\/kustomization\.yaml\n[\s\S]*?)```/.exec(doc)?.[1];
    expect(overlay).toBeDefined();
    const repo = mkdtempSync(join(tmpdir(), 'relayguard-overlay-'));
    try {
      cpSync(K8S, join(repo, 'base'), { recursive: true });
      mkdirSync(join(repo, 'overlays/production'), { recursive: true });
      writeFileSync(join(repo, 'overlays/production/kustomization.yaml'), overlay ?? '');
      const out = execFileSync(kubectl, ['kustomize', join(repo, 'overlays/production')], { encoding: 'utf8' });
      const rendered = parseAllDocuments(out).map((d) => d.toJS() as Doc);
      expect(new Set(rendered.map((d) => d['kind']))).toEqual(new Set(['ServiceAccount', 'ConfigMap', 'Service', 'Deployment', 'PodDisruptionBudget', 'HorizontalPodAutoscaler', 'ServiceMonitor', 'PrometheusRule', 'NetworkPolicy']));
      for (const d of rendered) expect(d['metadata']['namespace'], `${d['kind']} ${d['metadata']['name']}`).toBe('mail');
    } finally {
      rmSync(repo, { recursive: true, force: true });
    }
  });
});

describe('documentation examples', () => {
  it.each(['docs/gitops.md', 'docs/operations.md'])('%s: every YAML and JSON block parses', (file) => {
    const text = readFileSync(join(ROOT, file), 'utf8');
    const yamlBlocks = [...text.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1] ?? '');
    for (const block of yamlBlocks) for (const d of parseAllDocuments(block)) expect(d.errors, block.slice(0, 60)).toEqual([]);
    for (const block of [...text.matchAll(/```json\n([\s\S]*?)```/g)].map((m) => m[1] ?? '')) {
      const lines = block.trim().startsWith('{"') ? block.trim().split('\n') : [block];
      for (const line of lines) expect(() => JSON.parse(line), line.slice(0, 60)).not.toThrow();
    }
    expect(yamlBlocks.length).toBeGreaterThan(0);
  });
});
