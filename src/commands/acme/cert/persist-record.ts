// certnode acme cert persist-record [<domain>...] [--apply | --remove]

import { persistRecords, type PersistRecordRow } from '../../../core/acme/persist.ts';
import { parseBoolean } from '../../../core/config/formats.ts';
import { UsageError } from '../../../core/errors.ts';
import type { Result } from '../../../core/output/render.ts';
import { runTask } from '../../../core/output/tasklog.ts';
import type { LeafCommand } from '../../command.ts';

export interface PersistOptions {
  domains: string[];
  mode: 'show' | 'apply' | 'remove';
}

const COLUMNS = [{ key: 'record', always: true }, { key: 'value', always: true }, { key: 'domains' }, { key: 'plugin' }, { key: 'published' }] as const;

function result(rows: PersistRecordRow[]): Result {
  const data = rows.map((r) => ({ ...r, published: r.published === undefined ? 'unknown' : r.published ? 'yes' : 'no' }));
  return { kind: 'list', data: data.map((r) => ({ ...r, domains: r.domains.join(', ') })), columns: COLUMNS.map((c) => ({ ...c })) };
}

export const command: LeafCommand<PersistOptions> = {
  parse(args, raw) {
    const apply = raw.apply === undefined ? false : parseBoolean(raw.apply, 'apply');
    const remove = raw.remove === undefined ? false : parseBoolean(raw.remove, 'remove');
    if (apply && remove) throw new UsageError('--apply and --remove exclude each other', 'apply');
    return { domains: [...args].flatMap((a) => a.split(/[\s,;]+/)).filter(Boolean), mode: apply ? 'apply' : remove ? 'remove' : 'show' };
  },
  async run(env, opts) {
    if (opts.mode === 'show') {
      const silent = { info: () => undefined, warn: () => undefined };
      return result(await persistRecords({ ctx: env.ctx, paths: env.paths, log: silent }, opts.domains, 'show'));
    }
    const done = await runTask(env, async (log) => {
      const rows = await persistRecords({ ctx: env.ctx, paths: env.paths, log }, opts.domains, opts.mode);
      return { kind: 'list', data: rows.map((r) => ({ ...r })), columns: [] };
    });
    return done;
  },
};
