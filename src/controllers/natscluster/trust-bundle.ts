// The trust bundle every server and client trusts: the current CA, plus the previous CA while a CA
// change is in progress (until every leaf is issued by the new CA). Never read from a leaf's ca.crt
// alone, which flips the moment cert-manager re-issues (cert-manager#5851).

const PEM = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

export function splitPem(bundle: string | undefined): string[] {
  return [...(bundle ?? '').matchAll(PEM)].map((m) => m[0].trim());
}

/**
 * @param currentCa the CA certificate now issuing (PEM)
 * @param previousBundle the bundle the servers trust today
 * @param leafCas the ca.crt of every leaf Secret (which CA issued each leaf)
 */
export function nextTrustBundle(
  currentCa: string,
  previousBundle: string | undefined,
  leafCas: string[],
): string {
  const current = splitPem(currentCa)[0];
  if (!current) return previousBundle ?? '';
  const previous = splitPem(previousBundle).filter((pem) => pem !== current);
  const stillIssuedByOld = leafCas.flatMap(splitPem).some((pem) => pem !== current && previous.includes(pem));
  const keep = stillIssuedByOld ? previous : [];
  return [current, ...keep].join('\n') + '\n';
}
