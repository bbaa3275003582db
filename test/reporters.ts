/**
 * Reporters for both test tiers: the default one, plus vitest's JSON reporter when AUDIOFAN_TEST_JSON
 * names a file prefix (.ci/run sets it, then sums the tiers into one "N passed, N failed" line).
 */
export function reporters(tier: 'unit' | 'e2e') {
  const prefix = process.env.AUDIOFAN_TEST_JSON;
  return prefix ? { reporters: ['default', 'json'], outputFile: { json: `${prefix}.${tier}.json` } } : {};
}
