// Windows containment for static files (the Windows side of ResolveRoot / OpenUnderRoot in
// static_resolve.h). Runs on the I/O thread; no napi.h, no uv.h.
//
// Design: containment holds by construction, judged on what was opened, not on the spelling.
//  1. Names that Windows would read as something else are refused before any open, in every
//     segment of the relative path (IsUnsafeWindowsSegment): a ':' (alternate data streams
//     "file::$DATA", "file:stream", drive letters "C:"), the reserved device names (CON, PRN,
//     AUX, NUL, COM0-9, LPT0-9 and their superscript-digit forms, CONIN$, CONOUT$, with any
//     extension and trailing spaces: "nul.txt", "CON .js"), a trailing '.' or ' ' (which Win32
//     strips, so "index.html." would name index.html), '~' followed by a digit (an 8.3 short
//     name such as PROGRA~1 names another file than it spells), control characters and
//     <>"|?*. '\' and NUL never get here (NormalizeRequestPath refuses them, encoded as %5C
//     too: 400), so "\\server\share", "\\?\C:" cannot be spelled either.
//  2. The candidate is opened through the root's final path, which is a "\\?\" path: Win32
//     name rewriting (device names, trailing dots, '/' → '\') does not apply to it.
//  3. The opened handle's own final path (GetFinalPathNameByHandleW: reparse points, junctions
//     and symbolic links resolved, long names, stored case) must be the root or lie beneath
//     root + "\", compared case-insensitively (NTFS names are). A junction or link that leaves
//     the root is therefore refused whatever its spelling, and one that stays inside is
//     followed, as symlinks are on POSIX. The resolved name relative to the root is returned,
//     so the caller applies the excluded/validated rules to it too (CheckResolved); the hidden
//     dot-segment rule and step 1's rules apply to it here.
//  4. Type and size come from the handle: a directory is kDirectory; anything not a regular
//     disk file (a device, a pipe) is kMissing.
#ifdef _WIN32
#include "platform/win.h"
#include "static/static_resolve.h"

namespace httpuv {
namespace statics {
namespace {

constexpr DWORD kShareAll = FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE;

bool EqualsAsciiNoCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); i++) {
    char x = a[i], y = b[i];
    if (x >= 'a' && x <= 'z') x = static_cast<char>(x - 'a' + 'A');
    if (y >= 'a' && y <= 'z') y = static_cast<char>(y - 'a' + 'A');
    if (x != y) return false;
  }
  return true;
}

// A reserved DOS device name: the part before the first '.', trailing spaces removed.
bool IsReservedDeviceName(std::string_view seg) {
  std::string_view base = seg.substr(0, seg.find('.'));
  while (!base.empty() && base.back() == ' ') base.remove_suffix(1);
  for (std::string_view name : {"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$", "CLOCK$"}) {
    if (EqualsAsciiNoCase(base, name)) return true;
  }
  if (base.size() >= 4) {
    std::string_view head = base.substr(0, 3);
    if (EqualsAsciiNoCase(head, "COM") || EqualsAsciiNoCase(head, "LPT")) {
      std::string_view tail = base.substr(3);
      if (tail.size() == 1 && tail[0] >= '0' && tail[0] <= '9') return true;
      // Superscript one, two, three (U+00B9, U+00B2, U+00B3), which Windows also reserves.
      if (tail == "\xC2\xB9" || tail == "\xC2\xB2" || tail == "\xC2\xB3") return true;
    }
  }
  return false;
}

}  // namespace

// Exposed for the tests through static_resolve.h's declaration below (Windows only).
bool IsUnsafeWindowsSegment(std::string_view seg) {
  if (seg.empty()) return false;
  for (size_t i = 0; i < seg.size(); i++) {
    const unsigned char c = static_cast<unsigned char>(seg[i]);
    if (c < 0x20 || c == ':' || c == '<' || c == '>' || c == '"' || c == '|' || c == '?' ||
        c == '*' || c == '\\') {
      return true;
    }
    if (c == '~' && i + 1 < seg.size() && seg[i + 1] >= '0' && seg[i + 1] <= '9') return true;
  }
  if (seg.back() == '.' || seg.back() == ' ') return true;
  return IsReservedDeviceName(seg);
}

namespace {

bool HasUnsafeWindowsSegment(std::string_view rel) {
  size_t start = 0;
  while (start <= rel.size()) {
    size_t end = rel.find('/', start);
    if (end == std::string_view::npos) end = rel.size();
    if (IsUnsafeWindowsSegment(rel.substr(start, end - start))) return true;
    start = end + 1;
  }
  return false;
}

OpenedFile::Status StatusFromError(DWORD err) {
  switch (err) {
    case ERROR_ACCESS_DENIED:
    case ERROR_SHARING_VIOLATION:
    case ERROR_LOCK_VIOLATION:
      return OpenedFile::Status::kForbidden;
    case ERROR_FILE_NOT_FOUND:
    case ERROR_PATH_NOT_FOUND:
    case ERROR_INVALID_NAME:
    case ERROR_BAD_PATHNAME:
    case ERROR_DIRECTORY:
    case ERROR_FILENAME_EXCED_RANGE:
    case ERROR_BAD_NETPATH:
    case ERROR_BAD_NET_NAME:
    case ERROR_CANT_RESOLVE_FILENAME:  // a reparse-point loop
    case ERROR_NOT_A_REPARSE_POINT:
    case ERROR_INVALID_REPARSE_DATA:
    case ERROR_CANT_ACCESS_FILE:
      return OpenedFile::Status::kMissing;
    default:
      return OpenedFile::Status::kError;
  }
}

bool EqualsNoCase(const wchar_t* a, const wchar_t* b, size_t n) {
  return n == 0 || CompareStringOrdinal(a, static_cast<int>(n), b, static_cast<int>(n), TRUE) ==
                       CSTR_EQUAL;
}

// Drops a trailing '\' except a drive root's ("\\?\C:\" stays: "\\?\C:" is the volume).
void TrimSeparator(std::wstring* p) {
  while (p->size() > 1 && p->back() == L'\\' && (*p)[p->size() - 2] != L':') p->pop_back();
}

HANDLE OpenPath(const std::wstring& path, DWORD access) {
  return CreateFileW(path.c_str(), access, kShareAll, nullptr, OPEN_EXISTING,
                     FILE_ATTRIBUTE_NORMAL | FILE_FLAG_BACKUP_SEMANTICS, nullptr);
}

}  // namespace

bool ResolveRoot(const std::string& dir, StaticRoot* root) {
  std::wstring wdir;
  if (dir.empty() || !platform::Widen(dir, &wdir)) return false;
  HANDLE h = OpenPath(wdir, FILE_READ_ATTRIBUTES);
  if (h == INVALID_HANDLE_VALUE) return false;
  std::wstring final_path;
  platform::FileStat st;
  bool ok = platform::FinalPath(h, &final_path) && platform::StatHandle(h, &st);
  CloseHandle(h);
  if (!ok) return false;
  TrimSeparator(&final_path);
  if (!platform::Narrow(final_path, &root->real)) return false;
  root->is_file = !st.is_dir;
  return true;
}

OpenedFile OpenUnderRoot(const StaticRoot& given, std::string_view rel, bool keep_directory) {
  OpenedFile out;
  if (given.is_file && !rel.empty()) return out;  // a one-file entry has nothing beneath it
  if (rel.find('\0') != std::string_view::npos || HasUnsafeWindowsSegment(rel)) return out;
  StaticRoot fresh;
  const StaticRoot* root = &given;
  if (given.dir != nullptr) {  // judged against the root as it resolves now
    if (!ResolveRoot(*given.dir, &fresh)) return out;
    root = &fresh;
  }
  std::wstring wroot, wrel;
  if (!platform::Widen(root->real, &wroot) || !platform::Widen(rel, &wrel)) return out;
  for (wchar_t& c : wrel) {
    if (c == L'/') c = L'\\';
  }
  std::wstring candidate = wroot;
  if (!wrel.empty()) {
    if (candidate.back() != L'\\') candidate.push_back(L'\\');  // a drive root keeps its "C:\"
    candidate.append(wrel);
  }
  if (candidate.size() >= 32000) return out;  // the \\?\ limit

  HANDLE h = OpenPath(candidate, GENERIC_READ);
  if (h == INVALID_HANDLE_VALUE) {
    out.status = StatusFromError(GetLastError());
    return out;
  }
  // 3. Containment of what was opened.
  std::wstring final_path;
  if (!platform::FinalPath(h, &final_path)) {
    CloseHandle(h);
    out.status = OpenedFile::Status::kError;
    return out;
  }
  TrimSeparator(&final_path);
  std::wstring wres;
  if (final_path.size() == wroot.size() &&
      EqualsNoCase(final_path.data(), wroot.data(), wroot.size())) {
    wres.clear();
  } else if (final_path.size() > wroot.size() + 1 &&
             EqualsNoCase(final_path.data(), wroot.data(), wroot.size()) &&
             (final_path[wroot.size()] == L'\\' || (!wroot.empty() && wroot.back() == L'\\'))) {
    const size_t skip = final_path[wroot.size()] == L'\\' ? wroot.size() + 1 : wroot.size();
    wres = final_path.substr(skip);
  } else {
    CloseHandle(h);
    return out;  // resolved outside the root (a junction or link leading out): as if absent
  }
  for (wchar_t& c : wres) {
    if (c == L'\\') c = L'/';
  }
  if (!platform::Narrow(wres, &out.rel) || HasHiddenSegment(out.rel) ||
      HasUnsafeWindowsSegment(out.rel)) {
    CloseHandle(h);
    out.rel.clear();
    return out;
  }
  // 4. Type and size of the handle.
  if (!platform::StatHandle(h, &out.st)) {
    CloseHandle(h);
    out.status = OpenedFile::Status::kError;
    return out;
  }
  if (out.st.is_dir) {
    if (keep_directory) {
      out.fd = util::FdHandle(reinterpret_cast<platform::file_t>(h));
    } else {
      CloseHandle(h);
    }
    out.status = OpenedFile::Status::kDirectory;
    return out;
  }
  if (!out.st.is_regular) {
    CloseHandle(h);
    return out;
  }
  out.fd = util::FdHandle(reinterpret_cast<platform::file_t>(h));
  out.status = OpenedFile::Status::kOk;
  return out;
}

// The directory listing (see static_resolve.h) from FindFirstFileW on the directory handle's
// final path. A name is listed only if a request could be served under it: not hidden, not a
// name Windows reads as something else (IsUnsafeWindowsSegment), valid UTF-16; a reparse point
// (junction, link) costs one OpenUnderRoot, with the same containment as a request for it.
bool ListDirectory(const StaticRoot& root, OpenedFile dir, size_t max,
                   std::vector<ListedName>* out, size_t* more) {
  out->clear();
  *more = 0;
  if (dir.status != OpenedFile::Status::kDirectory || dir.fd.get() < 0) return false;
  std::wstring pattern;
  if (!platform::FinalPath(reinterpret_cast<HANDLE>(dir.fd.get()), &pattern)) return false;
  dir.fd.Reset();
  TrimSeparator(&pattern);
  if (pattern.back() != L'\\') pattern.push_back(L'\\');
  pattern.push_back(L'*');
  WIN32_FIND_DATAW fd;
  HANDLE find = FindFirstFileExW(pattern.c_str(), FindExInfoBasic, &fd, FindExSearchNameMatch,
                                 nullptr, 0);
  if (find == INVALID_HANDLE_VALUE) return GetLastError() == ERROR_FILE_NOT_FOUND;
  do {
    std::string name;
    if (!platform::Narrow(fd.cFileName, &name)) continue;
    if (name.empty() || name == "." || name == "..") continue;
    if ((name[0] == '.' && name != ".well-known") || IsUnsafeWindowsSegment(name)) continue;
    const std::string rel = dir.rel.empty() ? name : dir.rel + "/" + name;
    ListedName item;
    if ((fd.dwFileAttributes & FILE_ATTRIBUTE_REPARSE_POINT) != 0) {
      OpenedFile target = OpenUnderRoot(root, rel);
      if (target.status == OpenedFile::Status::kOk) {
        item.size = static_cast<uint64_t>(target.st.st_size);
        item.mtime = target.st.st_mtime;
      } else if (target.status == OpenedFile::Status::kDirectory) {
        item.is_dir = true;
      } else {
        continue;  // leaves the root, hidden, dangling or not a file
      }
      item.rel = target.rel;
    } else if ((fd.dwFileAttributes & FILE_ATTRIBUTE_DEVICE) != 0) {
      continue;
    } else {
      item.is_dir = (fd.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY) != 0;
      item.size =
          item.is_dir ? 0 : ((static_cast<uint64_t>(fd.nFileSizeHigh) << 32) | fd.nFileSizeLow);
      const uint64_t ft = (static_cast<uint64_t>(fd.ftLastWriteTime.dwHighDateTime) << 32) |
                          fd.ftLastWriteTime.dwLowDateTime;
      item.mtime = (static_cast<int64_t>(ft) - 116444736000000000LL) / 10000000;
      item.rel = rel;
    }
    if (out->size() >= max) {
      ++*more;
      continue;
    }
    item.name = std::move(name);
    out->push_back(std::move(item));
  } while (FindNextFileW(find, &fd));
  FindClose(find);
  return true;
}

bool SetOpenat2ForTesting(bool) { return false; }

}  // namespace statics
}  // namespace httpuv
#endif  // _WIN32
