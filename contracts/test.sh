#!/usr/bin/env bash
# `npm run test:contract`: the Pact suite, in two phases on the real local infrastructure (jest's global setup).
#   1. consumers: every *.pact.test.ts except provider verification; contracts/pacts/ is written afresh, so an
#      interaction a consumer dropped does not linger (git shows what changed);
#   2. providers: each services/*/test/contracts/verify-provider.pact.test.ts boots its service (buildApp) against
#      those pacts, including one broken on purpose that must fail verification.
# Jest's JSON results go to .local/contracts-{consumers,providers}.json; extra arguments go to both jest runs.
set -euo pipefail
cd "$(dirname "$0")/.."
export SCARF_ANALYTICS=false
mkdir -p .local contracts/pacts
npx tsc -b
rm -f contracts/pacts/*.json
status=0
npx jest -c jest.contracts.config.js --testPathIgnorePatterns '/node_modules/' 'verify-provider' \
  --json --outputFile=.local/contracts-consumers.json "$@" || status=$?
if [ "$status" -ne 0 ]; then
  echo "consumer pact tests failed: provider verification skipped" >&2
  exit "$status"
fi
# In the contracts workflow (PACT_BROKER_BASE_URL set, PACT_PUBLISH_VERIFICATION=true) the pacts go to the broker,
# and the providers below verify what the broker holds and publish their results.
if [ -n "${PACT_BROKER_BASE_URL:-}" ] && [ "${PACT_PUBLISH_VERIFICATION:-}" = true ]; then
  npx tsx contracts/broker.ts publish
fi
npx jest -c jest.contracts.config.js --testPathPatterns 'verify-provider' \
  --json --outputFile=.local/contracts-providers.json "$@"
