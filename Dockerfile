# One image for every NetPay app; the command picks which one runs:
#   node dist/apps/broker/src/main.js | vendor | redemption | auditor
FROM node:24.21.0-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# npm workspaces: the package manifests must be there for the locked install.
COPY packages/nest-paid/package.json ./packages/nest-paid/package.json
COPY packages/wallet/package.json ./packages/wallet/package.json
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json nest-cli.json ./
COPY apps ./apps
COPY libs ./libs
COPY bench ./bench
COPY packages ./packages
COPY examples ./examples
RUN npm run build && npm prune --omit=dev

FROM node:24.21.0-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# The pages (plain HTML, CSS and browser modules) the broker and the vendors serve.
COPY --from=build /app/libs/web/assets ./libs/web/assets
# The stream setup (the Kubernetes setup Job, deploy/helm): creates or updates the streams.
COPY scripts/setup-streams.mjs ./scripts/setup-streams.mjs
USER node
# Liveness for the HTTP apps; compose overrides it where the port differs.
HEALTHCHECK --interval=5s --timeout=2s --retries=12 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["node", "dist/apps/broker/src/main.js"]
