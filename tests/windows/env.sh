# Sourced by prepare.sh and run.sh: the environment Wine runs in, headless and quiet.
#   . tests/windows/env.sh <dir>
# Debian's wine64 package installs the loader in /usr/lib/wine (the `wine` wrapper package is optional).
WINE=$(command -v wine64 2>/dev/null || echo /usr/lib/wine/wine64)
WINESERVER=$(command -v wineserver 2>/dev/null || echo /usr/lib/wine/wineserver64)
export WINEPREFIX="$1/prefix"
# No debug channels, no Mono/Gecko installers (they would ask through a window), no display.
export WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml=" WINEARCH=win64
unset DISPLAY WAYLAND_DISPLAY
