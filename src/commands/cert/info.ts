// certnode cert info: the installed certificate and its backup, each with its role, source,
// days left and (installed ACME certificate) when renewal is due and the CA's last ARI window.

import { existsSync } from 'node:fs';
import { chainFileProblem, installedChainFiles, readInstalled } from '../../core/cert/install.ts';
import { certStatus, type CertStatus } from '../../core/cert/status.ts';
import { CERT_INFO_KEYS, certificateInfo } from '../../core/cert/x509.ts';
import { persistValidatedNames } from '../../core/config/node.ts';
import { loadNodeConfig, loadPlugins } from '../../core/config/repo.ts';
import { CliError } from '../../core/errors.ts';
import type { Result } from '../../core/output/render.ts';
import { requireNodeDir } from '../../core/paths.ts';
import type { LeafCommand } from '../command.ts';
import { localTime, nodeCertSettings } from './shared.ts';

/** Rows in text order: PVE's, with the status rows after the dates. */
const KEYS = [
  'filename',
  'role',
  'source',
  ...CERT_INFO_KEYS.filter((k) => k !== 'filename' && k !== 'public-key-type' && k !== 'public-key-bits' && k !== 'san'),
  'days-left',
  'renewal-due',
  'renewal-reason',
  'ari-window-start',
  'ari-window-end',
  'ari-next-check',
  'dns-persist-01',
  'public-key-type',
  'public-key-bits',
  'san',
] as const;
const TIME_KEYS = ['notbefore', 'notafter', 'renewal-due', 'ari-window-start', 'ari-window-end', 'ari-next-check'];

function statusFields(status: CertStatus): Record<string, unknown> {
  return {
    role: status.role,
    ...(status.source ? { source: status.source } : {}),
    'days-left': status.daysLeft,
    ...(status.renewal ? { 'renewal-due': status.renewal.due, 'renewal-reason': status.renewal.reason } : {}),
    ...(status.ari ? { 'ari-window-start': status.ari.start, 'ari-window-end': status.ari.end, 'ari-next-check': status.ari.nextCheck } : {}),
  };
}

export const command: LeafCommand<Record<string, never>> = {
  parse() {
    return {};
  },
  async run(env): Promise<Result> {
    if (!existsSync(env.paths.configDir)) throw new CliError(`configuration directory '${env.paths.configDir}' does not exist (see --config-dir, CERTNODE_CONFIG_DIR)`);
    requireNodeDir(env.paths, env.globals.node);
    const { targets } = await nodeCertSettings(env);
    const now = env.ctx.now();
    const source = readInstalled(targets).source;
    // names whose renewal needs no DNS change: a dns-persist-01 record validates them
    const persisted = persistValidatedNames(loadNodeConfig(env.paths).config, loadPlugins(env.paths).config);
    const rows = installedChainFiles(targets).map(({ filename, chain }) => {
      const problem = chainFileProblem(chain);
      if (problem) throw new CliError(`unable to read installed certificate '${filename}' - ${problem}`);
      const role = filename === targets.certFile ? 'installed' : 'backup';
      const persist = role === 'installed' && source === 'acme' && persisted.length ? { 'dns-persist-01': persisted.join(', ') } : {};
      return { ...certificateInfo(chain, filename), ...statusFields(certStatus(chain, role, role === 'installed' ? source : undefined, targets, now)), ...persist } as Record<string, unknown>;
    });
    if (env.globals.outputFormat !== 'text') return { kind: 'objects', data: rows, keys: KEYS };
    if (!rows.some((r) => r.role === 'installed')) {
      const none = `No certificate installed: '${targets.certFile}' does not exist ('certnode cert update' creates a self-signed one, 'certnode acme cert order' an ACME one).\n`;
      if (rows.length === 0) return { kind: 'text', text: none, data: [] };
      env.ctx.io.stderr.write(none);
    }
    const text = rows.map((row) => {
      const shown: Record<string, unknown> = { ...row };
      for (const key of TIME_KEYS) if (typeof shown[key] === 'number') shown[key] = localTime(shown[key] as number);
      return { kind: 'object' as const, data: shown, keys: KEYS, header: false };
    });
    // one table per certificate, a blank line between them (also with --noborder)
    return { kind: 'sections', parts: text, data: rows };
  },
};
