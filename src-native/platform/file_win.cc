// Windows side of platform/file.h: files are Win32 HANDLEs, opened and read with the Win32 API
// (never the addon's C runtime, whose descriptors mean nothing to the host's). A file handed to
// JavaScript becomes a descriptor of the host's C runtime through libuv (uv_open_osfhandle), so
// node:fs in the host reads and closes it. Each function says the thread it runs on.
#ifdef _WIN32
#include "platform/file.h"

#include <uv.h>

#include <atomic>
#include <cstdio>

#include "platform/win.h"

namespace httpuv {
namespace platform {

namespace {
HANDLE H(file_t f) { return reinterpret_cast<HANDLE>(f); }
file_t F(HANDLE h) { return h == INVALID_HANDLE_VALUE ? kNoFile : reinterpret_cast<file_t>(h); }
constexpr DWORD kShareAll = FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE;
}  // namespace

// Any thread.
bool Widen(std::string_view in, std::wstring* out) {
  out->clear();
  if (in.empty()) return true;
  int n = MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, in.data(), static_cast<int>(in.size()),
                              nullptr, 0);
  if (n <= 0) return false;
  out->resize(static_cast<size_t>(n));
  return MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, in.data(), static_cast<int>(in.size()),
                             &(*out)[0], n) == n;
}

// Any thread.
bool Narrow(std::wstring_view in, std::string* out) {
  out->clear();
  if (in.empty()) return true;
  int n = WideCharToMultiByte(CP_UTF8, WC_ERR_INVALID_CHARS, in.data(), static_cast<int>(in.size()),
                              nullptr, 0, nullptr, nullptr);
  if (n <= 0) return false;
  out->resize(static_cast<size_t>(n));
  return WideCharToMultiByte(CP_UTF8, WC_ERR_INVALID_CHARS, in.data(), static_cast<int>(in.size()),
                             &(*out)[0], n, nullptr, nullptr) == n;
}

// Any thread.
bool StatHandle(HANDLE h, FileStat* st) {
  BY_HANDLE_FILE_INFORMATION info;
  if (!GetFileInformationByHandle(h, &info)) return false;
  st->st_dev = info.dwVolumeSerialNumber;
  st->st_ino = (static_cast<uint64_t>(info.nFileIndexHigh) << 32) | info.nFileIndexLow;
  st->st_size = static_cast<int64_t>((static_cast<uint64_t>(info.nFileSizeHigh) << 32) |
                                     info.nFileSizeLow);
  // FILETIME: 100 ns units since 1601-01-01.
  const uint64_t ft = (static_cast<uint64_t>(info.ftLastWriteTime.dwHighDateTime) << 32) |
                      info.ftLastWriteTime.dwLowDateTime;
  const int64_t since_unix = static_cast<int64_t>(ft) - 116444736000000000LL;
  int64_t sec = since_unix / 10000000;
  int64_t rem = since_unix % 10000000;
  if (rem < 0) {
    rem += 10000000;
    sec -= 1;
  }
  st->st_mtime = sec;
  st->mtime_nsec = rem * 100;
  st->is_dir = (info.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY) != 0;
  st->is_regular = !st->is_dir && (info.dwFileAttributes & FILE_ATTRIBUTE_DEVICE) == 0 &&
                   GetFileType(h) == FILE_TYPE_DISK;
  return true;
}

// Any thread.
bool FinalPath(HANDLE h, std::wstring* out) {
  out->assign(MAX_PATH, L'\0');
  for (int i = 0; i < 2; i++) {
    DWORD n = GetFinalPathNameByHandleW(h, &(*out)[0], static_cast<DWORD>(out->size()),
                                        FILE_NAME_NORMALIZED | VOLUME_NAME_DOS);
    if (n == 0) return false;
    if (n < out->size()) {
      out->resize(n);
      return true;
    }
    out->assign(n + 1, L'\0');  // too small: n is the size needed, terminator included
  }
  return false;
}

// Any thread.
void CloseFile(file_t f) { CloseHandle(H(f)); }

// Any thread.
bool StatFile(file_t f, FileStat* st) { return StatHandle(H(f), st); }

// I/O thread. A synchronous handle read at an explicit offset (OVERLAPPED.Offset): the handle's
// own file pointer is neither used nor trusted.
int64_t ReadAt(file_t f, char* buf, size_t n, uint64_t offset) {
  OVERLAPPED ov{};
  ov.Offset = static_cast<DWORD>(offset & 0xffffffffu);
  ov.OffsetHigh = static_cast<DWORD>(offset >> 32);
  DWORD want = n > (1u << 30) ? (1u << 30) : static_cast<DWORD>(n);
  DWORD got = 0;
  if (!ReadFile(H(f), buf, want, &got, &ov)) {
    return GetLastError() == ERROR_HANDLE_EOF ? 0 : -1;
  }
  return static_cast<int64_t>(got);
}

// I/O thread. "%TEMP%\node-httpuv-body-<pid>-<n>.tmp", created new (never an existing file),
// deleted by the system when the last handle to it closes (also if the process dies), not
// inherited by child processes (the default security attributes).
file_t OpenTempFile() {
  static std::atomic<uint64_t> counter{0};
  wchar_t dir[MAX_PATH + 1];
  DWORD len = GetTempPathW(MAX_PATH + 1, dir);
  if (len == 0 || len > MAX_PATH) return kNoFile;
  for (int attempt = 0; attempt < 16; attempt++) {
    wchar_t name[64];
    swprintf(name, 64, L"node-httpuv-body-%lu-%llu.tmp", GetCurrentProcessId(),
             static_cast<unsigned long long>(counter.fetch_add(1) ^ GetTickCount64()));
    std::wstring path(dir, len);
    path += name;
    HANDLE h = CreateFileW(path.c_str(), GENERIC_READ | GENERIC_WRITE, kShareAll, nullptr,
                           CREATE_NEW, FILE_ATTRIBUTE_TEMPORARY | FILE_FLAG_DELETE_ON_CLOSE,
                           nullptr);
    if (h != INVALID_HANDLE_VALUE) return F(h);
    if (GetLastError() != ERROR_FILE_EXISTS) return kNoFile;
  }
  return kNoFile;
}

// I/O thread.
bool WriteAll(file_t f, const char* p, size_t n) {
  while (n > 0) {
    DWORD chunk = n > (1u << 30) ? (1u << 30) : static_cast<DWORD>(n);
    DWORD wrote = 0;
    if (!WriteFile(H(f), p, chunk, &wrote, nullptr)) return false;
    p += wrote;
    n -= wrote;
  }
  return true;
}

// Any thread.
std::string LastErrorText() {
  DWORD err = GetLastError();
  wchar_t* msg = nullptr;
  DWORD n = FormatMessageW(FORMAT_MESSAGE_ALLOCATE_BUFFER | FORMAT_MESSAGE_FROM_SYSTEM |
                               FORMAT_MESSAGE_IGNORE_INSERTS,
                           nullptr, err, 0, reinterpret_cast<wchar_t*>(&msg), 0, nullptr);
  std::string out;
  if (n > 0 && msg != nullptr) {
    while (n > 0 && (msg[n - 1] == L'\n' || msg[n - 1] == L'\r' || msg[n - 1] == L'.')) n--;
    Narrow(std::wstring_view(msg, n), &out);
  }
  if (msg != nullptr) LocalFree(msg);
  if (out.empty()) out = "Windows error " + std::to_string(err);
  return out;
}

// I/O thread. Symlinks and junctions are followed (the app chose the path); only a regular disk
// file is accepted (a directory, a device such as "NUL" or "\\.\COM1", a pipe are refused after
// the open, judged on the handle). Opened for reading with every share mode, so the app may
// still rename or delete the file (an owned file is deleted right after this open).
file_t OpenResponseFile(const std::string& path, FileStat* st, std::string* why) {
  if (path.empty()) {
    *why = "empty path";
    return kNoFile;
  }
  std::wstring wpath;
  if (!Widen(path, &wpath)) {
    *why = "path is not valid UTF-8";
    return kNoFile;
  }
  HANDLE h = CreateFileW(wpath.c_str(), GENERIC_READ, kShareAll, nullptr, OPEN_EXISTING,
                         FILE_ATTRIBUTE_NORMAL | FILE_FLAG_BACKUP_SEMANTICS, nullptr);
  if (h == INVALID_HANDLE_VALUE) {
    *why = LastErrorText();
    return kNoFile;
  }
  if (!StatHandle(h, st)) {
    *why = LastErrorText();
    CloseHandle(h);
    return kNoFile;
  }
  if (!st->is_regular) {
    *why = "not a regular file";
    CloseHandle(h);
    return kNoFile;
  }
  return F(h);
}

// JS thread. The handle becomes a descriptor of the host's C runtime (libuv's, which node:fs
// uses); that descriptor owns it from now on (fs.closeSync closes the handle).
int HostFd(file_t f) {
  if (f < 0) return -1;
  int fd = uv_open_osfhandle(H(f));
  if (fd < 0) CloseHandle(H(f));
  return fd;
}

// Any thread.
void RemoveFile(const std::string& path) {
  std::wstring wpath;
  if (Widen(path, &wpath)) DeleteFileW(wpath.c_str());
}

}  // namespace platform
}  // namespace httpuv
#endif  // _WIN32
