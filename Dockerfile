# One image for the broker and both mock banks; docker-compose.yml picks the entry point.
FROM node:20-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npx prisma generate && npx nest build broker
ENV NODE_ENV=production
CMD ["node", "dist/apps/broker/src/main.js"]
