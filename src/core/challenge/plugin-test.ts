// `acme plugin test`: one dns plugin end to end without a CA — add a random TXT value through
// the plugin's script, wait until the authoritative servers serve it, remove it, and wait until
// it is gone — each step timed, so an admin can verify credentials without spending an order.

import { randomBytes } from 'node:crypto';
import type { Context } from '../../context.ts';
import { DEFAULT_VALIDATION_DELAY } from '../config/plugins.ts';
import type { PluginSection } from '../config/plugins-cfg.ts';
import { CliError } from '../errors.ts';
import { interruptible } from '../interrupt.ts';
import type { TaskLog } from '../output/tasklog.ts';
import type { Paths } from '../paths.ts';
import { DnsRecord, type DnsRecordOptions } from './dns-record.ts';
import { pluginDisabled } from './session.ts';

export interface PluginTestStep {
  step: 'add' | 'propagation' | 'remove' | 'gone';
  ok: boolean;
  seconds: number;
  detail: string;
}

export interface PluginTestResult {
  plugin: string;
  domain: string;
  record: string;
  ok: boolean;
  steps: PluginTestStep[];
}

export interface PluginTestRequest {
  plugin: PluginSection;
  domain: string;
  alias: string | undefined;
}

/** Runs the test; a failed step is recorded (and later steps still clean up), never thrown. */
export async function testDnsPlugin(deps: { ctx: Context; paths: Paths; log: TaskLog; sandbox?: DnsRecordOptions['sandbox'] }, req: PluginTestRequest): Promise<PluginTestResult> {
  const { ctx, log } = deps;
  const { plugin } = req;
  if (plugin.type !== 'dns') throw new CliError(`plugin '${plugin.id}' is a ${plugin.type} plugin; only dns plugins can be tested this way`);
  if (pluginDisabled(plugin)) log.warn(`plugin '${plugin.id}' is disabled: orders refuse it until 'certnode acme plugin set ${plugin.id} --disable 0'`);
  const value = randomBytes(32).toString('base64url');
  let record: DnsRecord | undefined;
  const interrupt = interruptible(ctx, () => record?.dispose());
  const opts: DnsRecordOptions = { ctx, paths: deps.paths, sleep: interrupt.sleep, signal: interrupt.signal, teardownSignal: interrupt.teardownSignal, ...(deps.sandbox ? { sandbox: deps.sandbox } : {}) };
  const steps: PluginTestStep[] = [];
  const step = async (name: PluginTestStep['step'], work: () => Promise<{ ok: boolean; detail: string }>): Promise<boolean> => {
    const started = ctx.now().getTime();
    let outcome: { ok: boolean; detail: string };
    try {
      outcome = await work();
    } catch (err) {
      outcome = { ok: false, detail: err instanceof Error ? err.message : String(err) };
    }
    const seconds = Math.round((ctx.now().getTime() - started) / 10) / 100;
    steps.push({ step: name, ok: outcome.ok, seconds, detail: outcome.detail });
    const line = `Step ${name}: ${outcome.ok ? 'OK' : 'FAILED'} (${seconds.toFixed(2)} s) - ${outcome.detail}`;
    if (outcome.ok) log.info(line);
    else log.warn(line);
    return outcome.ok;
  };
  try {
    record = new DnsRecord(log, opts, {
      name: req.domain,
      domain: { domain: req.domain, kind: req.domain.startsWith('*.') ? 'wildcard' : 'dns', plugin: plugin.id, alias: req.alias, source: 'plugin test' },
      plugin,
      value,
      wildcard: req.domain.startsWith('*.'),
    });
    const current = record;
    log.info(`Testing plugin '${plugin.id}' with a random TXT value at ${current.recordName}`);
    const added = await step('add', async () => {
      await current.add();
      return { ok: true, detail: `the script added ${current.recordName}` };
    });
    if (added) {
      await step('propagation', async () => {
        const seen = await current.waitVisible({ forceCheck: true });
        return { ok: seen.checked && seen.visible, detail: seen.summary };
      });
    }
    const removed = await step('remove', async () => {
      await current.remove();
      return { ok: true, detail: `the script removed ${current.recordName}` };
    });
    if (added && removed) {
      const delayValue = plugin.props.get('validation-delay');
      const delay = delayValue === undefined || !/^\d+$/.test(delayValue) ? DEFAULT_VALIDATION_DELAY : Number(delayValue);
      await step('gone', async () => {
        const { gone, still } = await current.waitGone(opts, delay * 1000);
        return gone ? { ok: true, detail: 'no name server serves the test value any more' } : { ok: false, detail: `still served (or not answering) after ${delay} s: ${still}` };
      });
    }
    interrupt.check();
    return { plugin: plugin.id, domain: req.domain, record: current.recordName, ok: steps.every((s) => s.ok) && steps.length === 4, steps };
  } finally {
    await record?.remove().catch(() => undefined);
    interrupt.release();
  }
}
