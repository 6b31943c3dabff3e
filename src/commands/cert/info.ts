// certnode cert info

import { chainFileProblem, installedChainFiles } from '../../core/cert/install.ts';
import { CliError } from '../../core/errors.ts';
import { certificateInfo } from '../../core/cert/x509.ts';
import type { LeafCommand } from '../command.ts';
import { certInfoResult, nodeCertSettings } from './shared.ts';

export const command: LeafCommand<Record<string, never>> = {
  parse() {
    return {};
  },
  async run(env) {
    const { targets } = await nodeCertSettings(env);
    const infos = installedChainFiles(targets).map(({ filename, chain }) => {
      const problem = chainFileProblem(chain);
      if (problem) throw new CliError(`unable to read installed certificate '${filename}' - ${problem}`);
      return certificateInfo(chain, filename);
    });
    return certInfoResult(infos, env);
  },
};
