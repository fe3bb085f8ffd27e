#!/usr/bin/env bash
# Runs the Windows Deno prepared by prepare.sh under Wine, in a copy of this checkout:
#
#   tests/windows/run.sh <dir> <deno version> <deno arguments...>
#
# The copy (<dir>/work: the files git tracks or would track, as they are in the work tree) keeps
# Windows' node_modules and caches out of the checkout that Linux's Deno uses. Its deno.json says
# "nodeModulesDir": "none": Deno lays out node_modules with junctions, which Wine 8.0 cannot make,
# so npm packages are read from Deno's cache instead (inside the Wine prefix).
#
# The Windows processes start from a clean environment, as on Windows: no HOME, SHELL or XDG_*
# leaking in from Linux (Wine passes those through), which would send our code down Unix paths.
# AWS_OKTA_REQUIRE_PEERS is not passed on: the peers (the AWS CLI, moto, botocore, pass) are Linux
# programs, and the tests that need them say so and are skipped here; the Linux run has them.
set -euo pipefail
dir=$(cd "$1" && pwd) version=$2
shift 2
root=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/windows/env.sh
. "$root/tests/windows/env.sh" "$dir"

work="$dir/work"
rm -rf "$work"
mkdir -p "$work"
(cd "$root" && git ls-files -z --cached --others --exclude-standard | while IFS= read -r -d '' f; do
  [ -e "$f" ] && printf '%s\0' "$f"
done | tar --null -T - -cf -) | tar -xf - -C "$work"
sed -i 's/"nodeModulesDir": "auto"/"nodeModulesDir": "none"/' "$work/deno.json"
grep -q '"nodeModulesDir": "none"' "$work/deno.json" || { echo "test-windows: cannot set nodeModulesDir in the copy's deno.json" >&2; exit 1; }

# What reaching the npm registry takes here: proxies as they are, and a custom CA bundle (DENO_CERT or
# SSL_CERT_FILE) as the Windows path Wine maps it to (Z: is /), since Wine's certificate store lacks it.
pass=()
for name in HTTP_PROXY HTTPS_PROXY NO_PROXY http_proxy https_proxy no_proxy; do
  [ -n "${!name:-}" ] && pass+=("$name=${!name}")
done
cert=${DENO_CERT:-${SSL_CERT_FILE:-}}
[ -n "$cert" ] && pass+=("DENO_CERT=Z:${cert//\//\\}")

cd "$work"
exec env -i "${pass[@]}" PATH=/usr/bin:/bin LANG=C.UTF-8 USER="${USER:-root}" \
  WINEPREFIX="$WINEPREFIX" WINEDEBUG="$WINEDEBUG" WINEDLLOVERRIDES="$WINEDLLOVERRIDES" WINEARCH="$WINEARCH" \
  DENO_NO_UPDATE_CHECK=1 NO_COLOR=1 ${SMOKE_RUNS:+SMOKE_RUNS=$SMOKE_RUNS} \
  "$WINE" "$dir/deno-$version/deno.exe" "$@"
