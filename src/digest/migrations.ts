// Versioned schema migrations: NNN_name.sql files, applied in order, each recorded in schema_migrations.
import { readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const SQLITE_MIGRATIONS = fileURLToPath(new URL('./migrations/', import.meta.url));
export const PG_MIGRATIONS = fileURLToPath(new URL('./migrations/pg/', import.meta.url));
const MIGRATION_FILE = /^(\d{3,})_([\w-]+)\.sql$/;

export interface Migration { version: number; name: string; sql: string }

export function loadMigrations(dir = SQLITE_MIGRATIONS): Migration[] {
  const list = readdirSync(dir)
    .map((f) => ({ f, m: MIGRATION_FILE.exec(f) }))
    .filter((x): x is { f: string; m: RegExpExecArray } => x.m !== null)
    .map(({ f, m }) => ({ version: Number(m[1]), name: m[2], sql: readFileSync(resolve(dir, f), 'utf8') }))
    .sort((a, b) => a.version - b.version);
  list.forEach((m, i) => {
    if (i > 0 && m.version === list[i - 1].version) throw new Error(`two migrations numbered ${m.version} in ${dir}`);
  });
  return list;
}
