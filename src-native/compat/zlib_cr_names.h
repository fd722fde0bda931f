// Force-included (gcc/clang `-include`) when binding.gyp's `httpuv_zlib_prefix` is 'Cr_z_':
// renames every zlib function the addon may call to Chromium's prefixed name, so the addon
// binds to the `Cr_z_*` symbols that Electron exports (its zlib is Chromium's, built with
// chromeconf.h) and that Node's bundled zlib exports too. Node builds linked against a shared
// system zlib (some distributions, Homebrew) export only the plain names: keep the default ('')
// for those. Header-only, no code: the declarations in the runtime's zlib.h are renamed with it.
#ifndef NODE_HTTPUV_COMPAT_ZLIB_CR_NAMES_H_
#define NODE_HTTPUV_COMPAT_ZLIB_CR_NAMES_H_

#define adler32 Cr_z_adler32
#define compress Cr_z_compress
#define compress2 Cr_z_compress2
#define compressBound Cr_z_compressBound
#define crc32 Cr_z_crc32
#define deflate Cr_z_deflate
#define deflateBound Cr_z_deflateBound
#define deflateCopy Cr_z_deflateCopy
#define deflateEnd Cr_z_deflateEnd
#define deflateInit2_ Cr_z_deflateInit2_
#define deflateInit_ Cr_z_deflateInit_
#define deflateParams Cr_z_deflateParams
#define deflatePending Cr_z_deflatePending
#define deflatePrime Cr_z_deflatePrime
#define deflateReset Cr_z_deflateReset
#define deflateSetDictionary Cr_z_deflateSetDictionary
#define deflateSetHeader Cr_z_deflateSetHeader
#define deflateTune Cr_z_deflateTune
#define inflate Cr_z_inflate
#define inflateEnd Cr_z_inflateEnd
#define inflateGetDictionary Cr_z_inflateGetDictionary
#define inflateInit2_ Cr_z_inflateInit2_
#define inflateInit_ Cr_z_inflateInit_
#define inflateReset Cr_z_inflateReset
#define inflateReset2 Cr_z_inflateReset2
#define inflateSetDictionary Cr_z_inflateSetDictionary
#define inflateGetHeader Cr_z_inflateGetHeader
#define zError Cr_z_zError
#define zlibVersion Cr_z_zlibVersion

#endif  // NODE_HTTPUV_COMPAT_ZLIB_CR_NAMES_H_
