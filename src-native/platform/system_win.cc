// Windows side of platform/system.h. Each function says the thread it runs on.
#ifdef _WIN32
#include <winsock2.h>
#include <ws2tcpip.h>

#include "platform/system.h"
#include "platform/win.h"

namespace httpuv {
namespace platform {

// I/O thread. SetThreadDescription exists from Windows 10 1607 (and in Wine): looked up at run
// time so the addon still loads where it is missing.
void ConfigureIoThread(int nice_delta) {
  using SetDescription = HRESULT(WINAPI*)(HANDLE, PCWSTR);
  if (HMODULE k = GetModuleHandleW(L"kernel32.dll")) {
    auto fn = reinterpret_cast<SetDescription>(
        reinterpret_cast<void*>(GetProcAddress(k, "SetThreadDescription")));
    if (fn != nullptr) fn(GetCurrentThread(), L"httpuv-io");
  }
  if (nice_delta < 0) SetThreadPriority(GetCurrentThread(), THREAD_PRIORITY_ABOVE_NORMAL);
  if (nice_delta > 0) SetThreadPriority(GetCurrentThread(), THREAD_PRIORITY_BELOW_NORMAL);
}

// Any thread.
uint64_t DescriptorLimit() { return UINT64_MAX; }

// I/O thread.
int SetUmask(int) { return 0; }

// JS thread. libuv's Windows listener binds without SO_REUSEADDR (which on Windows would let a
// second socket steal the port), so neither does the probe. The host's libuv has initialised
// Winsock in this process already.
bool CanListen(const struct sockaddr* addr, int addr_len) {
  SOCKET s = socket(addr->sa_family, SOCK_STREAM, IPPROTO_TCP);
  if (s == INVALID_SOCKET) return false;
  bool ok = bind(s, addr, addr_len) == 0 && listen(s, 1) == 0;
  closesocket(s);
  return ok;
}

}  // namespace platform
}  // namespace httpuv
#endif  // _WIN32
