# One image for the broker and both mock banks; docker-compose.yml picks the entry point.
FROM node:24-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build
ENV NODE_ENV=production
CMD ["node", "--max-old-space-size=192", "--max-semi-space-size=4", "dist/apps/broker/src/main.js"]
