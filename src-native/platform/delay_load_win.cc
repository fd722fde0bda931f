// The Windows addon's binding to its host (issue 16, scope 2): every N-API and libuv function is
// imported from "node.exe" through a delay-load import library (scripts/cross/win32-x64.sh, made
// with `dlltool -y`), and this hook answers the loader's request for "node.exe" with the module
// of the running process, GetModuleHandle(NULL). So the addon binds to whatever executable loaded
// it, Electron's electron.exe or a renamed node.exe, instead of failing to find (or worse,
// loading a second copy of) a DLL named node.exe. It is what node-gyp's win_delay_load_hook does
// for MSVC builds. Runs on whichever thread first calls an imported function (the loader calls
// the hook); no state of ours.
#ifdef _WIN32
#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#include <windows.h>
#include <delayimp.h>

#include <cstring>

namespace {

FARPROC WINAPI HostModuleHook(unsigned event, PDelayLoadInfo info) {
  if (event != dliNotePreLoadLibrary || info == nullptr || info->szDll == nullptr) return nullptr;
  if (_stricmp(info->szDll, "node.exe") != 0) return nullptr;
  return reinterpret_cast<FARPROC>(GetModuleHandleW(nullptr));
}

}  // namespace

// The delay-load helper (mingw-w64's __delayLoadHelper2, MSVC's delayimp) calls this hook.
extern "C" {
PfnDliHook __pfnDliNotifyHook2 = HostModuleHook;
}
#endif  // _WIN32
