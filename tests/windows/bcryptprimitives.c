/*
 * bcryptprimitives.dll for Wine 8.0, which lacks it: Deno's Windows build imports ProcessPrng
 * (Rust's standard library gets its random bytes there since Windows 10) and cannot start without
 * it (c0000135). ProcessPrng fills a buffer from the system RNG and cannot fail on Windows; here it
 * asks bcrypt.dll, which Wine has, for the same bytes.
 *
 * Built by `make test-windows` with Debian's gcc-mingw-w64-x86-64-win32 and copied into the Wine
 * prefix's system32; never shipped.
 */
#include <windows.h>
#include <bcrypt.h>

BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T size) {
  while (size > 0) {
    /* BCryptGenRandom takes a ULONG length. */
    ULONG chunk = size > 0x40000000 ? 0x40000000 : (ULONG)size;
    if (BCryptGenRandom(NULL, data, chunk, BCRYPT_USE_SYSTEM_PREFERRED_RNG) != 0) return FALSE;
    data += chunk;
    size -= chunk;
  }
  return TRUE;
}

BOOL WINAPI DllMain(HINSTANCE instance, DWORD reason, LPVOID reserved) {
  (void)instance;
  (void)reason;
  (void)reserved;
  return TRUE;
}
