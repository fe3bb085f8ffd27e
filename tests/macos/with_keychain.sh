#!/usr/bin/env bash
# Runs a command with a throwaway macOS keychain as the default one, then deletes it:
#
#   tests/macos/with_keychain.sh <command...>
#
# The keychain tests (src/keyring/macos/keychain_test.ts, the release smoke test) then add, read and delete
# items in a real keychain through the Security framework, without touching the user's (or the CI
# runner's) login keychain and without a password dialog: the keychain is created unlocked, with no
# auto-lock, placed first in the search list and made the default; the previous search list and
# default come back afterwards, whatever the command's outcome.
set -euo pipefail
[ "$(uname -s)" = Darwin ] || { echo "with_keychain.sh: macOS only" >&2; exit 1; }

dir=$(mktemp -d)
keychain="$dir/aws-okta-test.keychain-db"
password=$(uuidgen)
old_default=$(security default-keychain -d user | tr -d ' "')
old_list=()
while IFS= read -r line; do
  line=$(echo "$line" | tr -d ' "')
  [ -n "$line" ] && old_list+=("$line")
done < <(security list-keychains -d user)

restore() {
  security list-keychains -d user -s "${old_list[@]}" || true
  [ -n "$old_default" ] && security default-keychain -d user -s "$old_default" || true
  security delete-keychain "$keychain" || true
  rm -rf "$dir"
}
trap restore EXIT

security create-keychain -p "$password" "$keychain"
security set-keychain-settings "$keychain" # no -t: never locks on a timeout; no -l: not on sleep
security unlock-keychain -p "$password" "$keychain"
security list-keychains -d user -s "$keychain" "${old_list[@]}"
security default-keychain -d user -s "$keychain"
echo "with_keychain.sh: using $keychain" >&2

"$@"
