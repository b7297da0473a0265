/** What the tests need of a prom-client Registry (`app.metrics`), so the test kit does not depend on prom-client. */
export interface MetricRegistry {
  getSingleMetric(
    name: string,
  ):
    | { get(): Promise<{ values: ReadonlyArray<{ value: number; labels: Partial<Record<string, string | number>> }> }> }
    | undefined;
}

/** The value of the first series of a counter or gauge that carries these labels; 0 while none was touched. */
export async function metricValue(
  registry: MetricRegistry,
  name: string,
  labels: Record<string, string> = {},
): Promise<number> {
  const metric = registry.getSingleMetric(name);
  if (!metric) return 0;
  const { values } = await metric.get();
  const series = values.find((value) =>
    Object.entries(labels).every(([label, expected]) => value.labels[label] === expected),
  );
  return series?.value ?? 0;
}
