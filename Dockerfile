# minidfs image: one image for every role (`namenode`, `datanode`, and the client commands).
#
# Stage `build` installs every dependency from the lockfile (`npm ci`, needs the npm registry),
# compiles the packages with `tsc -b`, then prunes devDependencies and sources. Stage `runtime`
# copies only what `minidfs` loads at run time: production node_modules, packages/* without
# src/ (package.json, dist/, the CLI shim, the NameNode's ui/), and proto/ (loaded from
# <app>/proto relative to packages/common/dist).
#
#   docker build -t minidfs .            # or let `docker compose up` build it
#   docker run --rm minidfs --help
#
# The process runs as the unprivileged `node` user (uid 1000) and handles SIGTERM itself (the
# NameNode closes its ports, a DataNode says goodbye), so `docker stop`/`compose down` is fast;
# docker-compose.yml also sets `init: true` so a tiny init reaps children and forwards signals.
# Install scripts are not run (`--ignore-scripts`): the only ones in the tree are denied in
# package.json `allowScripts` anyway (classic-level ships prebuilt binaries; protobufjs/@swc only
# print or fetch things we do not need), and this keeps older npm versions from running them.

FROM node:20-bookworm-slim AS build
WORKDIR /app
ENV CI=true NPM_CONFIG_UPDATE_NOTIFIER=false
# Manifests first, so the dependency layer is reused while only sources change.
COPY package.json package-lock.json .npmrc ./
COPY packages/common/package.json packages/common/
COPY packages/namenode/package.json packages/namenode/
COPY packages/datanode/package.json packages/datanode/
COPY packages/client/package.json packages/client/
COPY packages/cli/package.json packages/cli/
COPY packages/sim/package.json packages/sim/
COPY packages/membership/package.json packages/membership/
COPY packages/loadgen/package.json packages/loadgen/
COPY packages/cli/bin packages/cli/bin
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.base.json tsconfig.json ./
COPY proto proto
COPY packages packages
# Build the packages only (the root tsconfig also references test/, which the image does not need).
# Then drop what only the build needs; everything else under packages/ (dist/, bin/, assets such
# as packages/namenode/ui/) goes to the runtime stage as is.
RUN npx tsc -b packages/cli \
 && npm prune --omit=dev --ignore-scripts --no-audit --no-fund \
 && rm -rf packages/*/src packages/*/tsconfig.json \
 && find packages -name '*.tsbuildinfo' -delete \
 && node packages/cli/dist/main.js --version

FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production \
    MINIDFS_DATA_DIR=/data
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules node_modules
COPY --from=build /app/proto proto
COPY --from=build /app/packages packages
# `minidfs` on PATH (so `docker compose exec namenode minidfs report` works); /data owned by the
# runtime user, so a fresh named volume mounted there inherits that ownership.
RUN ln -s /app/packages/cli/bin/minidfs.js /usr/local/bin/minidfs \
 && chmod 0755 /app/packages/cli/bin/minidfs.js \
 && mkdir -p /data /secret && chown node:node /data /secret \
 && minidfs --version
USER node
# NameNode RPC, NameNode web/API, DataNode data transfer.
EXPOSE 8020 9870 9866
# One check for both roles: the NameNode answers /healthz on its HTTP port (with TLS on, that port
# speaks HTTPS and may want a client certificate, so it accepting TCP is enough); a DataNode accepts
# TCP on its data-transfer port. (No curl in the slim image: node's own fetch/net do the probe.)
# The ports must listen on 127.0.0.1: MINIDFS_BIND 0.0.0.0, as docker-compose.yml sets it.
HEALTHCHECK --interval=3s --timeout=3s --start-period=20s --retries=5 CMD ["node", "-e", "const h=process.env.MINIDFS_HTTP_PORT||9870,d=process.env.MINIDFS_PORT||9866,tcp=(p,no)=>require('net').connect(+p,'127.0.0.1').on('connect',()=>process.exit(0)).on('error',no);fetch('http://127.0.0.1:'+h+'/healthz',{signal:AbortSignal.timeout(2000)}).then(r=>process.exit(r.ok?0:1),()=>tcp(h,()=>tcp(d,()=>process.exit(1))))"]
ENTRYPOINT ["minidfs"]
CMD ["--help"]
