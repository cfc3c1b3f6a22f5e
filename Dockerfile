# syntax=docker/dockerfile:1
# relayguard container image: `docker build -t relayguard .`
# Runs `node bin/relayguard.js serve /etc/relayguard` as an unprivileged user. Mount the config
# directory at /etc/relayguard and the certificates where its topology points (deploy/kubernetes
# uses /etc/relayguard-certs); give it writable /tmp and /var/lib/relayguard.
ARG NODE_IMAGE=node:24-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
# Lockfile first: the dependency layer is cached until package*.json change. --ignore-scripts skips
# `prepare` (it would also create development certificates); the build runs explicitly below.
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY engine ./engine
COPY schemas ./schemas
RUN npm run build \
 && npm prune --omit=dev --ignore-scripts --no-audit --no-fund

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production
# A fixed numeric uid/gid, so Kubernetes can prove runAsNonRoot and the manifests can name it.
RUN groupadd --system --gid 10001 relayguard \
 && useradd --system --uid 10001 --gid relayguard --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin relayguard \
 && mkdir -p /etc/relayguard /etc/relayguard-certs /var/lib/relayguard \
 && chown relayguard:relayguard /var/lib/relayguard
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY bin ./bin
COPY schemas ./schemas
USER 10001:10001
# SMTP listener and admin HTTP (/healthz /readyz /metrics /status), as in policies/topology.yaml.
EXPOSE 10025 9025
VOLUME ["/tmp", "/var/lib/relayguard"]
STOPSIGNAL SIGTERM
# node directly, not npm/npx: the gateway itself must receive SIGTERM to drain in-flight sessions.
ENTRYPOINT ["node", "bin/relayguard.js"]
CMD ["serve", "/etc/relayguard"]
