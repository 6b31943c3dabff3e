// certnode cert info

import { installedChainFiles } from '../../core/cert/install.ts';
import { certificateInfo } from '../../core/cert/x509.ts';
import type { LeafCommand } from '../command.ts';
import { certInfoResult, nodeCertSettings } from './shared.ts';

export const command: LeafCommand<Record<string, never>> = {
  parse() {
    return {};
  },
  async run(env) {
    const { targets } = await nodeCertSettings(env);
    const infos = installedChainFiles(targets).map(({ filename, chain }) => certificateInfo(chain, filename));
    return certInfoResult(infos, env);
  },
};
