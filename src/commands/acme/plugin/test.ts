// certnode acme plugin test <id> <domain> [--alias <domain>]

import { testDnsPlugin } from '../../../core/challenge/plugin-test.ts';
import { checkAlias, checkDomain } from '../../../core/config/formats.ts';
import { findPlugin } from '../../../core/config/plugins.ts';
import { loadPlugins } from '../../../core/config/repo.ts';
import { CliError, FailureWithData, UsageError } from '../../../core/errors.ts';
import { runTask } from '../../../core/output/tasklog.ts';
import type { LeafCommand } from '../../command.ts';

export interface TestOptions {
  id: string;
  domain: string;
  alias: string | undefined;
}

export const command: LeafCommand<TestOptions> = {
  parse(args, raw) {
    const [id, domain] = args as [string, string];
    if (checkDomain(domain, 'domain') === 'ip') throw new UsageError('an IP address cannot be validated through DNS', 'domain');
    return { id, domain, alias: raw.alias === undefined ? undefined : checkAlias(raw.alias, 'alias') };
  },
  async run(env, opts) {
    const plugin = findPlugin(loadPlugins(env.paths).config, opts.id);
    if (!plugin) throw new CliError(`ACME plugin '${opts.id}' not defined (see 'certnode acme plugin list')`);
    let failed: string | undefined;
    const result = await runTask(env, async (log) => {
      const outcome = await testDnsPlugin({ ctx: env.ctx, paths: env.paths, log }, { plugin, domain: opts.domain, alias: opts.alias });
      const bad = outcome.steps.find((s) => !s.ok);
      if (bad) failed = `plugin '${opts.id}' failed the test at step '${bad.step}': ${bad.detail}`;
      else if (!outcome.ok) failed = `plugin '${opts.id}' did not finish the test`;
      if (failed) throw new FailureWithData(failed, { ...outcome });
      return { kind: 'object', data: { ...outcome } };
    });
    return result;
  },
};
