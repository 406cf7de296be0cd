# syntax=docker/dockerfile:1
# Targets:
#   runtime (the default, last stage): the service on production dependencies only; no sandbox, no emulator.
#   sandbox: the commercetools emulator for `docker compose --profile sandbox` (dev dependencies + sandbox/).
FROM node:24-bookworm-slim AS deps
# swagger-ui-dist pulls in @scarf/scarf, whose install script phones home: keep it quiet.
ENV SCARF_ANALYTICS=false
WORKDIR /app
COPY package.json package-lock.json ./
# All dependencies, dev ones included: the compiler for the build, the emulator for the sandbox.
# The workspace clients/typescript (the callers' client) is not copied, so npm skips it.
RUN npm ci --no-audit --no-fund

# The service compiles from src only (tsconfig.build.json): dist/ holds no sandbox, tests or benchmarks.
FROM deps AS build
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

# The emulator runs from its TypeScript source with tsx (a dev dependency), seeded by SEED_PROJECT_KEYS.
# Never expose it beyond a developer machine.
FROM deps AS sandbox
COPY tsconfig.json ./
COPY sandbox ./sandbox
USER node
ENV HOST=0.0.0.0 PORT=8989
EXPOSE 8989
CMD ["node", "--import", "tsx", "sandbox/emulator.main.ts"]

FROM node:24-bookworm-slim AS runtime
ENV NODE_ENV=production SCARF_ANALYTICS=false
WORKDIR /app
COPY package.json package-lock.json ./
# Production dependencies of the service alone (not of the client workspace): no mock, fastify or tsx.
RUN npm ci --omit=dev --workspaces=false --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
USER node
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||8080)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# exec form: node is PID 1 and receives SIGTERM for the graceful shutdown. The heap flags are those of
# `npm start` (bench/RESULTS.md): 16 MB semi-spaces for the young generation and old space grown by at
# most 1.5x keep the resident size under load well below 200 MB.
# The keys CLI runs in the same image: `docker compose run --rm service node dist/src/cli/keys.cli.js list`.
CMD ["node", "--max-semi-space-size=16", "--heap-growing-percent=50", "dist/src/main.js"]
