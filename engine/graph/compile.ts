// LoadedConfig → RoutingGraph. Everything that can fail fails here (certificates, keys, TLS
// contexts, address blocks, references, policies), so a graph that exists can be served.
import { compileAdmin } from './compile-admin.js';
import { hasErrors } from '../config/diagnostic.js';
import type { Diagnostic } from '../config/diagnostic.js';
import type { LoadedConfig } from '../config/load.js';
import { compilePolicies } from '../policy/compile/compile.js';
import { dataFiles, readExactData, revisionWithData, type ExactDataFiles } from '../policy/edm/exact-data.js';
import { compileAddressMatcher } from './address-matcher.js';
import { certificateSummaries, newCompileContext } from './compile-context.js';
import type { CompileContext } from './compile-context.js';
import { compileListeners, compileReceiver, compileRoute, compileSettings, compileUpstream } from './compile-entries.js';
import { compileGatewayTls } from './compile-tls.js';
import { DEFAULTS, defaultHostname } from './defaults.js';
import { compileDomainRouter } from './domain-router.js';
import { deepFreeze } from './freeze.js';
import { compileLoopSecret } from './loop-secret.js';
import { policyDefinition } from './policy-description.js';
import type { Receiver, RoutingGraph, Upstream } from './types.js';

export interface CompileOptions {
  /** Certificate validity is judged at this instant; also the revision's loadedAt. */
  readonly now?: Date;
  readonly gitCommit?: string;
  /** The EDM index and key files the policies name, already read (buildGraph); read here when absent. */
  readonly exactData?: ExactDataFiles;
}

export interface CompileResult {
  readonly graph?: RoutingGraph;
  readonly diagnostics: readonly Diagnostic[];
}

function compileNodes(ctx: CompileContext, config: LoadedConfig) {
  const t = config.topology.data;
  const g = t.gateway;
  const tls = compileGatewayTls(ctx, g.tls);
  const maxPerUpstream = g.limits?.maxConnectionsPerUpstream ?? DEFAULTS.limits.maxConnectionsPerUpstream;
  const upstreams = t.upstreams.map((u, i) => compileUpstream(ctx, u, i, tls, maxPerUpstream));
  const receivers = new Map<string, Receiver>();
  (t.receivers ?? []).forEach((r, i) => {
    if (!receivers.has(r.name)) receivers.set(r.name, compileReceiver(ctx, r, i, tls));
  });
  const routes = (t.routes ?? []).map((r, i) => compileRoute(ctx, r, i, receivers));
  const hostname = g.hostname ?? defaultHostname();
  const loop = compileLoopSecret(ctx, g.loop?.secretFile, tls.key);
  const gateway = compileSettings(ctx, g, tls, { hostname, loopSecret: loop.secret, loopSecretSource: loop.source });
  return { gateway, upstreams, receivers, routes, listeners: compileListeners(ctx, g.listen) };
}

function upstreamMatcher(upstreams: readonly Upstream[]) {
  return compileAddressMatcher(upstreams.flatMap((u) => u.addresses.map((cidr) => ({ cidr, value: u }))));
}

function policyDefinitions(config: LoadedConfig): Map<string, unknown> {
  const out = new Map<string, unknown>();
  for (const file of config.policies) {
    for (const policy of file.data.policies) {
      if (!out.has(policy.name)) out.set(policy.name, policyDefinition(policy));
    }
  }
  return out;
}

function configFiles(config: LoadedConfig, ctx: CompileContext, data: ExactDataFiles): string[] {
  const files = [
    config.topology.source.path,
    ...config.policies.map((p) => p.source.path),
    ...config.tests.map((t) => t.source.path),
    ...config.referencedFiles,
    ...ctx.readFiles,
    ...dataFiles(data),
  ];
  return [...new Set(files)];
}

export function compileGraph(config: LoadedConfig, opts: CompileOptions = {}): CompileResult {
  const now = opts.now ?? new Date();
  const ctx = newCompileContext(config.topology.source, now);
  const nodes = compileNodes(ctx, config);
  const exactData = opts.exactData ?? readExactData(config.policies);
  const policies = compilePolicies(config.policies, { upstreamNames: nodes.upstreams.map((u) => u.name), exactData });
  const admin = compileAdmin(ctx, config.topology.data.gateway.admin);
  const diagnostics = [...ctx.diagnostics, ...policies.diagnostics];
  if (hasErrors(diagnostics)) return { diagnostics };
  const graph: RoutingGraph = {
    revision: { hash: revisionWithData(config.hash, exactData, config.dir), ...(opts.gitCommit !== undefined ? { gitCommit: opts.gitCommit } : {}), dir: config.dir, loadedAt: now },
    gateway: nodes.gateway,
    listeners: nodes.listeners,
    ...(admin ? { admin } : {}),
    upstreams: nodes.upstreams,
    receivers: nodes.receivers,
    routes: nodes.routes,
    upstreamByAddress: upstreamMatcher(nodes.upstreams),
    router: compileDomainRouter(nodes.routes),
    policies: policies.policySet,
    policyDefinitions: policyDefinitions(config),
    certificates: certificateSummaries(ctx),
    files: configFiles(config, ctx, exactData),
  };
  return { graph: deepFreeze(graph), diagnostics };
}
