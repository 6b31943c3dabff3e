// Where certnode's files live under the config dir.

import * as path from 'node:path';

export interface Paths {
  configDir: string;
  nodeCfg: string;
  acmeDir: string;
  pluginsCfg: string;
  accountsDir: string;
  /** certnode's own certificate directory: the default install target and the install state. */
  certsDir: string;
  /** Default `cert-file` (the chain) and `cert-key-file` when node.cfg sets none. */
  defaultCertFile: string;
  defaultCertKeyFile: string;
  /** Where the installed pair came from (acme, custom, self-signed); also the certificate lock. */
  certStateFile: string;
}

export const DEFAULT_CONFIG_DIR = '/etc/certnode';

export function configPaths(configDir: string): Paths {
  const dir = path.resolve(configDir);
  const acmeDir = path.join(dir, 'acme');
  const certsDir = path.join(dir, 'certs');
  return {
    configDir: dir,
    nodeCfg: path.join(dir, 'node.cfg'),
    acmeDir,
    pluginsCfg: path.join(acmeDir, 'plugins.cfg'),
    accountsDir: path.join(acmeDir, 'accounts'),
    certsDir,
    defaultCertFile: path.join(certsDir, 'certnode.pem'),
    defaultCertKeyFile: path.join(certsDir, 'certnode.key'),
    certStateFile: path.join(certsDir, 'certnode.json'),
  };
}
