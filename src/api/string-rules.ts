// Rules for strings that the schemas (common.ts, through TypeBox) and code that runs without TypeBox
// (the compiled CEL rules, the generated checks of schemas.generated.ts) both use: one definition.

/** A Kubernetes quantity as used for sizes: "8Mi", "1Gi", "64Mi", "1048576". */
export const QUANTITY_PATTERN = '^[0-9]+(\\.[0-9]+)?(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$';

/** The string formats the schemas use: RFC 3339 timestamps in status. */
export const FORMATS: Record<string, (value: string) => boolean> = {
  'date-time': (value) => !Number.isNaN(Date.parse(value)),
};
