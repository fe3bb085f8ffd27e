#!/usr/bin/env bash
# Prepares what `make test-windows` runs: a Wine prefix and a patched copy of the Windows build of
# the pinned Deno, both cached in <dir> (.tools/wine). Idempotent: a second run only checks.
#
#   tests/windows/prepare.sh <dir> <deno version> <bcryptprimitives.dll>
#
# Debian's wine64 8.0 runs deno.exe after two changes, neither of which touches a file outside <dir>:
# 1. deno.exe imports bcryptprimitives.dll!ProcessPrng, which Wine 8.0 lacks: the DLL built from
#    bcryptprimitives.c (by make, with MinGW) goes into the prefix's system32.
# 2. V8 reserves its code space with VirtualAlloc2(MEM_RESERVE_PLACEHOLDER), which Wine 8.0 does not
#    implement, and aborts. In our copy of deno.exe the imported name "VirtualAlloc2" becomes
#    "VirtualAllocX" (same length, so no offset moves): the import is then missing, and V8 takes the
#    allocation path it uses on Windows versions without VirtualAlloc2.
set -euo pipefail
mkdir -p "$1"
dir=$(cd "$1" && pwd) version=$2 dll=$3
# shellcheck source=tests/windows/env.sh
. "$(dirname "$0")/env.sh" "$dir"

[ -x "$WINE" ] || { echo "test-windows: wine64 is needed (Debian: apt-get install wine64)" >&2; exit 1; }

exe="$dir/deno-$version/deno.exe"
if [ ! -f "$exe" ]; then
  command -v npm >/dev/null || { echo "test-windows: npm is needed to fetch @deno/win32-x64@$version" >&2; exit 1; }
  echo "test-windows: fetching @deno/win32-x64@$version from npm" >&2
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  (cd "$tmp" && npm pack --silent "@deno/win32-x64@$version" >/dev/null && tar xzf deno-win32-x64-*.tgz)
  count=$(grep -c -a 'VirtualAlloc2' "$tmp/package/deno.exe" || true)
  [ "$count" = 1 ] || { echo "test-windows: expected one \"VirtualAlloc2\" in deno.exe, found $count" >&2; exit 1; }
  perl -0777 -pi -e 's/VirtualAlloc2\0/VirtualAllocX\0/' "$tmp/package/deno.exe"
  grep -q -a 'VirtualAllocX' "$tmp/package/deno.exe" || { echo "test-windows: patching deno.exe failed" >&2; exit 1; }
  mkdir -p "$dir/deno-$version"
  mv "$tmp/package/deno.exe" "$exe.tmp" && mv "$exe.tmp" "$exe"
fi

if [ ! -f "$WINEPREFIX/system.reg" ]; then
  echo "test-windows: creating the Wine prefix $WINEPREFIX" >&2
  rm -rf "$WINEPREFIX"
  "$WINE" wineboot --init >/dev/null 2>&1 || true
  "$WINESERVER" -w
  [ -f "$WINEPREFIX/system.reg" ] || { echo "test-windows: wineboot did not create $WINEPREFIX" >&2; exit 1; }
fi
cmp -s "$dll" "$WINEPREFIX/drive_c/windows/system32/bcryptprimitives.dll" \
  || cp "$dll" "$WINEPREFIX/drive_c/windows/system32/bcryptprimitives.dll"

"$WINE" "$exe" --version | head -n1
