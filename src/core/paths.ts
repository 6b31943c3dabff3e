// Where certnode's files live under the config dir.

import * as path from 'node:path';

export interface Paths {
  configDir: string;
  nodeCfg: string;
  acmeDir: string;
  pluginsCfg: string;
  accountsDir: string;
}

export const DEFAULT_CONFIG_DIR = '/etc/certnode';

export function configPaths(configDir: string): Paths {
  const dir = path.resolve(configDir);
  const acmeDir = path.join(dir, 'acme');
  return {
    configDir: dir,
    nodeCfg: path.join(dir, 'node.cfg'),
    acmeDir,
    pluginsCfg: path.join(acmeDir, 'plugins.cfg'),
    accountsDir: path.join(acmeDir, 'accounts'),
  };
}
