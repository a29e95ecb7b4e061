// Conversions from Kubernetes-style quantities and Go durations to what nats.conf takes.

const BINARY: Record<string, number> = {
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};
const DECIMAL: Record<string, number> = { k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18 };

/** "8Mi" -> 8388608. The schema has already checked the format. */
export function quantityToBytes(quantity: string): number {
  const match = /^([0-9]+(?:\.[0-9]+)?)([A-Za-z]*)$/.exec(quantity);
  if (!match) throw new Error(`not a quantity: ${quantity}`);
  const [, number = '0', suffix = ''] = match;
  const factor = suffix === '' ? 1 : (BINARY[suffix] ?? DECIMAL[suffix]);
  if (factor === undefined) throw new Error(`unknown quantity suffix in ${quantity}`);
  return Math.round(Number(number) * factor);
}

const DURATION_UNITS: Record<string, number> = {
  ns: 1e-9,
  us: 1e-6,
  µs: 1e-6,
  ms: 1e-3,
  s: 1,
  m: 60,
  h: 3600,
};

/** "1h30m" -> 5400. */
export function durationToSeconds(duration: string): number {
  let total = 0;
  for (const [, value, unit] of duration.matchAll(/([0-9]+(?:\.[0-9]+)?)(ns|us|µs|ms|s|m|h)/g)) {
    total += Number(value) * (DURATION_UNITS[unit ?? 's'] ?? 1);
  }
  return total;
}
