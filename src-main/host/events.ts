import type { HostEvent, HostEvents } from '../shared/contract';

/** The host's events (contract HostEvents) and who listens to them; the transports subscribe through Host.on. */
export class HostEventBus {
  private readonly listeners = new Map<HostEvent, Set<(payload: unknown) => void>>();

  emit<E extends HostEvent>(event: E, payload: HostEvents[E]): void {
    for (const listener of this.listeners.get(event) ?? []) listener(payload);
  }

  /** Adds a listener; returns the function that removes it. */
  on<E extends HostEvent>(event: E, listener: (payload: HostEvents[E]) => void): () => void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(listener as (payload: unknown) => void);
    return () => set.delete(listener as (payload: unknown) => void);
  }
}
