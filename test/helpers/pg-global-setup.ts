// vitest globalSetup: one throwaway PostgreSQL for the whole run; test files read its URL with inject('pgUrl') and
// make a database of their own (createDatabase). Missing PostgreSQL fails the run: the PostgreSQL contract tests are
// not optional.
import type { TestProject } from 'vitest/node';
import { startPostgres, type PgServer } from './pg-server.ts';

let server: PgServer | undefined;

export async function setup(project: TestProject): Promise<void> {
  server = await startPostgres();
  project.provide('pgUrl', server.url);
}

export async function teardown(): Promise<void> {
  await server?.stop();
}

declare module 'vitest' {
  export interface ProvidedContext { pgUrl: string }
}
