import { HostError, type HostHandlers } from './dispatch';

type ExperimentMethods = 'experiments.list' | 'experiments.get' | 'experiments.start' | 'experiments.cancel' | 'experiments.resume';

/** Experiments (issue 15): not yet built. */
export function experimentHandlers(): Pick<HostHandlers, ExperimentMethods> {
  const notYet = async (): Promise<never> => {
    throw new HostError('experiments: not yet');
  };
  return { 'experiments.list': notYet, 'experiments.get': notYet, 'experiments.start': notYet, 'experiments.cancel': notYet, 'experiments.resume': notYet };
}
