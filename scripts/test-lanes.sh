#!/usr/bin/env bash
# The whole suite in two lanes on a 2-core machine: the Docker tests that count failed requests
# under load (vitest project docker-load) run one after another in one vitest process, while
# another runs the unit, package and remaining Docker tests, also one Docker file at a time.
# Most of a Docker test is waiting on builds and healthchecks, so the lanes overlap well; vitest
# alone cannot run two sequential lanes side by side. Fails when either lane fails.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1

npx vitest run --project docker-load "$@" > >(sed -u 's/^/[load lane] /') 2>&1 &
load_lane=$!
npx vitest run --project unit --project package --project docker "$@"
main_status=$?
wait "$load_lane"
load_status=$?
echo "main lane: exit $main_status; load lane: exit $load_status"
[ "$main_status" -eq 0 ] && [ "$load_status" -eq 0 ]
