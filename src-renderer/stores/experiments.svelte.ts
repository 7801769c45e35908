import { bridge } from '../lib/bridge';
import { errorMessage } from '../lib/format';
import type { ExperimentState, ExperimentSummary, HostParams } from '../../src-main/shared/contract';
import type { RunOptionKey } from '../../src-main/shared/schema';
import { studio } from './studio.svelte';

/**
 * The Experiments view's state (issue 15): the list of experiments, the one open and its full state. The
 * host announces every change with 'experiment.progress' (a run started, scored, finished); the list entry
 * is replaced from the event and the open experiment is fetched again, at most one request at a time.
 */
class Experiments {
  list = $state.raw<ExperimentSummary[]>([]);
  loaded = $state(false);
  /** The experiment the view shows in detail, or null for the list. */
  openId = $state<string | null>(null);
  current = $state.raw<ExperimentState | null>(null);
  error = $state<string | null>(null);
  starting = $state(false);
  /** The new-experiment panel's fields as typed: kept while the user visits New run or Datasets and comes back. */
  draft = $state({ seeds: '3', images: '32,000', customKey: 'lrD' as RunOptionKey, customText: '1e-4, 2e-4', customChoices: [] as string[] });
  private started = false;
  private fetching = false;
  private again = false;

  /** Subscribes to the host's events once, for the app's lifetime. */
  start(): void {
    if (this.started) return;
    this.started = true;
    bridge.on('experiment.progress', (summary) => {
      const known = this.list.some((e) => e.id === summary.id);
      this.list = known ? this.list.map((e) => (e.id === summary.id ? summary : e)) : [summary, ...this.list];
      if (summary.id === this.openId) void this.fetchOpen();
    });
  }

  async refresh(): Promise<void> {
    try {
      this.list = await bridge.invoke('experiments.list', undefined);
      this.error = null;
    } catch (error) {
      this.error = errorMessage(error);
    } finally {
      this.loaded = true;
    }
  }

  /** Shows an experiment's page. */
  open(id: string | null): void {
    if (this.openId !== id) this.current = null;
    this.openId = id;
    if (id) void this.fetchOpen();
  }

  /**
   * Fetches the open experiment's state; while a request is out, further calls fold into one more after
   * it. The run list is refreshed too: each run's latest sample grid comes from it.
   */
  async fetchOpen(): Promise<void> {
    if (this.fetching) {
      this.again = true;
      return;
    }
    this.fetching = true;
    try {
      do {
        this.again = false;
        const id = this.openId;
        if (!id) return;
        try {
          const state = await bridge.invoke('experiments.get', { id });
          if (this.openId === id) {
            this.current = state;
            this.error = null;
          }
        } catch (error) {
          if (this.openId === id) this.error = errorMessage(error);
        }
        await studio.refreshRuns();
      } while (this.again);
    } finally {
      this.fetching = false;
    }
  }

  /** Starts an experiment and opens its page; false (and a toast) when the host refuses. */
  async begin(params: HostParams<'experiments.start'>): Promise<boolean> {
    if (this.starting) return false;
    this.starting = true;
    try {
      const summary = await bridge.invoke('experiments.start', params);
      this.list = [summary, ...this.list.filter((e) => e.id !== summary.id)];
      this.open(summary.id);
      return true;
    } catch (error) {
      studio.toast(`Could not start the experiment: ${errorMessage(error)}`, 'error', 8000);
      return false;
    } finally {
      this.starting = false;
    }
  }

  async cancel(id: string): Promise<void> {
    try {
      await bridge.invoke('experiments.cancel', { id });
    } catch (error) {
      studio.toast(`Could not cancel: ${errorMessage(error)}`, 'error');
    }
    await this.refresh();
    if (id === this.openId) await this.fetchOpen();
  }

  async resume(id: string): Promise<void> {
    try {
      const summary = await bridge.invoke('experiments.resume', { id });
      this.list = this.list.map((e) => (e.id === summary.id ? summary : e));
    } catch (error) {
      studio.toast(`Could not resume: ${errorMessage(error)}`, 'error');
    }
    if (id === this.openId) await this.fetchOpen();
  }
}

export const experiments = new Experiments();
