export { metrics, createRegistry, getOrCreate, startMetricsServer } from './metrics';
export type { MetricsOptions, MetricsServer } from './metrics';
