/* Included before each source file of the vendored llhttp (deps/llhttp/src/) when it is compiled
 * for Windows: by MSVC through deps/llhttp.gyp (ForcedIncludeFiles) and by mingw-w64 through
 * scripts/cross/win32-x64.sh (-include). Compile-time only; no thread runs anything here.
 *
 * llhttp.h marks its API __declspec(dllexport) when _WIN32 is defined, which makes every DLL that
 * links llhttp export the llhttp_* functions: the addon would then offer a host (node.exe, which
 * has its own llhttp) names it must not, and `npm run check-symbols` fails the build. The vendored
 * release stays unmodified; instead llhttp.h is read once here with _WIN32 undefined (so its export
 * macro is empty), and its include guard keeps the sources' own #include "llhttp.h" from reading it
 * again. The C headers llhttp.h and the sources need come first, with _WIN32 still defined. */
#ifndef HTTPUV_LLHTTP_NOEXPORT_H_
#define HTTPUV_LLHTTP_NOEXPORT_H_
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef _WIN32
#undef _WIN32
#include "llhttp.h"
#define _WIN32 1
#endif
#endif
