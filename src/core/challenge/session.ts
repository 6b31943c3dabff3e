// The challenges of one order: set up by each name's plugin, always torn down afterwards.
// Standalone plugins share one http-01 listener per (address, port) for the whole order.

import type { ConfiguredDomain } from '../config/node.ts';
import { DEFAULT_STANDALONE_PORT } from '../config/plugins.ts';
import type { PluginSection } from '../config/plugins-cfg.ts';
import { PluginError } from '../errors.ts';
import type { TaskLog } from '../output/tasklog.ts';
import { StandaloneResponder } from './standalone.ts';

/** The ACME challenge type each plugin type answers. */
export const CHALLENGE_TYPE: Record<string, 'http-01' | 'dns-01'> = { standalone: 'http-01', dns: 'dns-01' };

export interface ChallengeTask {
  /** The authorization's name as configured (`*.example.com` for a wildcard). */
  name: string;
  domain: ConfiguredDomain;
  plugin: PluginSection;
  type: 'http-01' | 'dns-01';
  token: string;
  /** http-01: the key authorization; dns-01: the TXT value. */
  keyAuthorization: string;
}

export class ChallengeSession {
  readonly #log: TaskLog;
  readonly #responders = new Map<string, Promise<StandaloneResponder>>();
  readonly #presented: ChallengeTask[] = [];

  constructor(log: TaskLog) {
    this.#log = log;
  }

  async present(task: ChallengeTask): Promise<void> {
    if (task.type === 'http-01') {
      const responder = await this.#responder(task.plugin);
      responder.add(task.token, task.keyAuthorization);
      this.#presented.push(task);
      return;
    }
    throw new PluginError(`plugin '${task.plugin.id}' for domain '${task.name}': dns-01 validation is not available in this build`, task.plugin.id);
  }

  #responder(plugin: PluginSection): Promise<StandaloneResponder> {
    const portValue = plugin.props.get('port');
    const port = portValue === undefined ? DEFAULT_STANDALONE_PORT : Number(portValue);
    const address = plugin.props.get('address');
    const key = `${address ?? '*'}|${port}`;
    let responder = this.#responders.get(key);
    if (!responder) {
      this.#log.info(`Setting up webserver on ${address === undefined ? 'port' : `${address.includes(':') ? `[${address}]` : address}:`}${address === undefined ? ` ${port}` : port}`);
      responder = StandaloneResponder.start({ pluginId: plugin.id, port, address });
      this.#responders.set(key, responder);
    }
    return responder;
  }

  /** Tear everything down; failures are warnings (the order's own error, if any, is what matters). */
  async cleanup(): Promise<void> {
    for (const task of this.#presented.splice(0)) {
      if (task.type !== 'http-01') continue;
      const key = `${task.plugin.props.get('address') ?? '*'}|${task.plugin.props.get('port') ?? DEFAULT_STANDALONE_PORT}`;
      (await this.#responders.get(key)?.catch(() => undefined))?.remove(task.token);
    }
    const responders = [...this.#responders.values()];
    this.#responders.clear();
    await Promise.all(
      responders.map(async (pending) => {
        const responder = await pending.catch(() => undefined);
        await responder?.close();
      }),
    );
  }
}
