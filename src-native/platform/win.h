// Windows-only helpers of the platform layer, shared by platform/*_win.cc and
// static/static_resolve_win.cc: UTF-8 <-> UTF-16 and a handle's metadata. No uv.h, no napi.h.
// Pure; runs on whichever thread calls it.
#ifndef NODE_HTTPUV_PLATFORM_WIN_H_
#define NODE_HTTPUV_PLATFORM_WIN_H_
#ifdef _WIN32

#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#ifndef NOMINMAX
#define NOMINMAX
#endif
#include <windows.h>

#include <string>
#include <string_view>

#include "platform/file.h"

namespace httpuv {
namespace platform {

// UTF-8 → UTF-16; false on invalid UTF-8 (MB_ERR_INVALID_CHARS), never a lossy conversion.
bool Widen(std::string_view in, std::wstring* out);
// UTF-16 → UTF-8; false on an unpaired surrogate.
bool Narrow(std::wstring_view in, std::string* out);
// Metadata of an open handle (GetFileInformationByHandle + GetFileType).
bool StatHandle(HANDLE h, FileStat* st);
// The final path of an open handle (GetFinalPathNameByHandleW, normalised, DOS volume name:
// "\\?\C:\dir\file" or "\\?\UNC\server\share\file"); false on failure.
bool FinalPath(HANDLE h, std::wstring* out);

}  // namespace platform
}  // namespace httpuv

#endif  // _WIN32
#endif  // NODE_HTTPUV_PLATFORM_WIN_H_
