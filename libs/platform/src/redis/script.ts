import type { Redis } from 'ioredis';

/** A Lua script bound to a connection: its keys, then its arguments; answers Redis's reply. */
export type RedisScript = (keys: readonly string[], args: readonly (string | number)[]) => Promise<unknown>;

type Commands = Record<string, ((...args: (string | number)[]) => Promise<unknown>) | undefined>;

/**
 * Defines `lua` on `client` as a command (ioredis `defineCommand`): sent as EVALSHA, so Redis neither
 * receives nor hashes the script's text on each call, and loaded again by itself after a NOSCRIPT
 * (a restarted or flushed Redis). `name` must be unique per connection.
 */
export function defineScript(client: Redis, name: string, numberOfKeys: number, lua: string): RedisScript {
  const commands = client as unknown as Commands;
  if (commands[name] === undefined) client.defineCommand(name, { numberOfKeys, lua });
  const command = commands[name];
  if (command === undefined) throw new Error(`the Redis script ${name} did not define`);
  return (keys, args) => command.call(client, ...keys, ...args);
}
