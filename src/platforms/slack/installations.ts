// Slack installations (one per workspace, from Bolt's OAuth flow) kept in the memwall store, encrypted at rest with
// AES-256-GCM under MEMWALL_ENCRYPTION_KEY. The row key is the team id (or enterprise id for an org-wide install) and
// is bound to the ciphertext as associated data, so a row copied under another key does not decrypt.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { Installation, InstallationQuery, InstallationStore } from '@slack/bolt';
import type { Store } from '../../digest/store.ts';

const VERSION = 'v1';
/** a known plaintext stored once, so a wrong key is caught at start-up, not at the first request */
const KEY_CHECK_ROW = '__memwall_key_check__';
const KEY_CHECK_TEXT = 'memwall installation key check';

export class EncryptionKeyError extends Error {
  constructor(message: string) { super(message); this.name = 'EncryptionKeyError'; }
}

/** MEMWALL_ENCRYPTION_KEY: 32 bytes as 64 hex digits or base64 (44 characters). Throws a plain message otherwise. */
export function parseEncryptionKey(text: string): Buffer {
  const t = text.trim();
  if (/^[0-9a-fA-F]{64}$/.test(t)) return Buffer.from(t, 'hex');
  if (/^[A-Za-z0-9+/_-]{42,44}={0,2}$/.test(t)) {
    const b = Buffer.from(t.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
    if (b.length === 32) return b;
  }
  throw new EncryptionKeyError('must be 32 bytes, as 64 hex digits or base64 (e.g. the output of `openssl rand -base64 32`)');
}

export function encrypt(key: Buffer, plaintext: string, aad: string): string {
  const iv = randomBytes(12);
  const c = createCipheriv('aes-256-gcm', key, iv);
  c.setAAD(Buffer.from(aad, 'utf8'));
  const body = Buffer.concat([c.update(plaintext, 'utf8'), c.final()]);
  return [VERSION, iv.toString('base64'), c.getAuthTag().toString('base64'), body.toString('base64')].join(':');
}

export function decrypt(key: Buffer, sealed: string, aad: string): string {
  const [v, iv, tag, body] = sealed.split(':');
  if (v !== VERSION || !iv || !tag || body === undefined) throw new EncryptionKeyError('stored installation is not in a format this memwall reads');
  const d = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64'));
  d.setAAD(Buffer.from(aad, 'utf8'));
  d.setAuthTag(Buffer.from(tag, 'base64'));
  try {
    return Buffer.concat([d.update(Buffer.from(body, 'base64')), d.final()]).toString('utf8');
  } catch {
    throw new EncryptionKeyError('MEMWALL_ENCRYPTION_KEY does not decrypt the stored Slack installations (a different key than the one they were saved with?)');
  }
}

/**
 * At start-up: the first time, seal a known text with the key; later, check the key still opens it. A wrong key is a
 * clear start-up error instead of "not installed" on every request.
 */
export async function checkEncryptionKey(store: Store, key: Buffer): Promise<void> {
  const sealed = await store.getInstallation(KEY_CHECK_ROW);
  if (!sealed) { await store.saveInstallation(KEY_CHECK_ROW, encrypt(key, KEY_CHECK_TEXT, KEY_CHECK_ROW)); return; }
  if (decrypt(key, sealed, KEY_CHECK_ROW) !== KEY_CHECK_TEXT) throw new EncryptionKeyError('MEMWALL_ENCRYPTION_KEY does not match the key check stored with the installations');
}

function rowKey(q: { isEnterpriseInstall?: boolean; enterpriseId?: string; teamId?: string }): string {
  if (q.isEnterpriseInstall && q.enterpriseId) return `enterprise:${q.enterpriseId}`;
  if (q.teamId) return `team:${q.teamId}`;
  throw new Error('an installation query with neither a team nor an enterprise id');
}

/** Bolt's InstallationStore over the memwall store. */
export function storeInstallations(store: Store, key: Buffer): InstallationStore & { botToken(teamId: string | null): Promise<string | null> } {
  async function fetch(q: { isEnterpriseInstall?: boolean; enterpriseId?: string; teamId?: string }): Promise<Installation | null> {
    const k = rowKey(q);
    const sealed = await store.getInstallation(k);
    return sealed ? (JSON.parse(decrypt(key, sealed, k)) as Installation) : null;
  }
  return {
    async storeInstallation(installation) {
      const k = rowKey({ isEnterpriseInstall: installation.isEnterpriseInstall, enterpriseId: installation.enterprise?.id, teamId: installation.team?.id });
      await store.saveInstallation(k, encrypt(key, JSON.stringify(installation), k));
    },
    async fetchInstallation(query: InstallationQuery<boolean>) {
      // an org-wide install answers for every team in the enterprise
      const found = (await fetch(query)) ?? (query.enterpriseId ? await fetch({ isEnterpriseInstall: true, enterpriseId: query.enterpriseId }) : null);
      if (!found) throw new Error(`memwall is not installed in Slack workspace ${query.teamId ?? query.enterpriseId}`);
      return found;
    },
    async deleteInstallation(query: InstallationQuery<boolean>) {
      await store.deleteInstallation(rowKey(query));
    },
    /** the bot token for a workspace, for digests; null when it is not installed there */
    async botToken(teamId) {
      if (!teamId) return null;
      const inst = await fetch({ teamId });
      return inst?.bot?.token ?? null;
    },
  };
}
