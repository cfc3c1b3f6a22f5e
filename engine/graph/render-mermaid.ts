// `graph --format mermaid`: a flowchart a reviewer sees as a picture in a pull request.
// Upstreams → gateway; forward traffic: gateway → route → receivers; reflect traffic:
// gateway → the upstream's re-injection port. TLS settings label the edges.
// Node ids are positional (u0, rt0, r0): names never reach the id syntax.
import type { GraphDescription, InboundTlsDescription, OutboundTlsDescription } from './describe.js';

/** Mermaid entity codes for everything that could end a label or start markup. */
export function escapeMermaid(text: string): string {
  return text.replace(/["#;|<>`&\\[\]{}()]/g, (c) => `#${c.charCodeAt(0)};`).replace(/\r?\n/g, ' ');
}

function label(...lines: readonly string[]): string {
  return `"${lines.map(escapeMermaid).join('<br/>')}"`;
}

function hostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

function inboundEdge(tls: InboundTlsDescription): string {
  if (tls.starttls === 'disabled') return 'plain SMTP';
  const mtls = tls.clientCertificate === 'none' ? '' : `, client cert ${tls.clientCertificate}`;
  return `STARTTLS ${tls.starttls}${mtls}`;
}

function outboundEdge(tls: OutboundTlsDescription): string {
  if (tls.starttls === 'disabled') return 'plain SMTP';
  const verify = tls.trust.length > 0 ? ', verified' : '';
  return `STARTTLS ${tls.starttls}${verify}`;
}

function upstreamLines(d: GraphDescription): string[] {
  const lines: string[] = [];
  d.upstreams.forEach((u, i) => {
    lines.push(`  u${i}[${label(u.name, u.addresses.join(', '), u.mode)}]`);
    lines.push(`  u${i} -->|${label(inboundEdge(u.tls))}| gw`);
    if (u.reflect) {
      const target = hostPort(u.reflect.host ?? 'its own address', u.reflect.port);
      lines.push(`  ri${i}[/${label(`${u.name} re-injection`, target)}/]`);
      lines.push(`  gw -->|${label(`reflect, ${outboundEdge(u.reflect.tls)}`)}| ri${i}`);
      lines.push(`  ri${i} -.- u${i}`);
    }
  });
  return lines;
}

function routeLines(d: GraphDescription): string[] {
  const receiverIndex = new Map(d.receivers.map((r, i) => [r.name, i]));
  const lines: string[] = [];
  d.receivers.forEach((r, i) => lines.push(`  r${i}[(${label(r.name, r.mx !== undefined ? `${r.mx.nextHop}, port ${r.port}` : hostPort(r.host, r.port))})]`));
  const edgeDone = new Set<string>();
  d.routes.forEach((route, i) => {
    lines.push(`  rt${i}([${label(`#${route.index + 1} ${route.domains.join(', ')}`, route.strategy)}])`);
    lines.push(`  gw --> rt${i}`);
    for (const name of route.receivers) {
      const target = receiverIndex.get(name);
      if (target === undefined || edgeDone.has(`${i}:${target}`)) continue;
      edgeDone.add(`${i}:${target}`);
      const receiver = d.receivers[target];
      const edge = receiver?.mx !== undefined ? `tls ${receiver.mx.policy}` : receiver ? outboundEdge(receiver.tls) : '';
      lines.push(`  rt${i} -->|${label(edge)}| r${target}`);
    }
  });
  return lines;
}

export function renderMermaid(d: GraphDescription): string {
  const listeners = d.listeners.map((l) => hostPort(l.address, l.port)).join(', ');
  const auth = d.gateway.tls.authenticate ? 'peers verified' : 'peers NOT verified';
  return [
    'flowchart LR',
    `  gw{{${label(`relayguard ${d.gateway.hostname}`, listeners, auth)}}}`,
    ...upstreamLines(d),
    ...routeLines(d),
    '',
  ].join('\n');
}
