import { readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * Reads one secret: from its environment variable when set, else from its file in the keys folder
 * (generated for development by `npm start`). Never logs or echoes the value.
 */
export function readSecret(env: NodeJS.ProcessEnv, variable: string, keysDir: string, file: string): string {
  const fromEnv = env[variable];
  if (fromEnv !== undefined && fromEnv.trim() !== '') return fromEnv.trim();
  try {
    return readFileSync(path.resolve(keysDir, file), 'utf8').trim();
  } catch {
    throw new Error(`missing secret: set ${variable} or generate ${file} in the keys folder (npm start does)`);
  }
}
