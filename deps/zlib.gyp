# Builds the vendored zlib release (deps/zlib, see deps/zlib/VENDOR.md) as a static library with
# hidden visibility, linked into the addon. A prebuilt binary then needs no zlib from its host:
# Electron exports Chromium's zlib under Cr_z_ names (or none that an addon can count on), a Node
# linked against a shared system zlib exports another version, and Windows hosts export whatever
# their node.lib says. The addon neither exports these symbols nor imports any zlib name
# (scripts/check-symbols.mjs verifies both). Consumers include it as <zlib/zlib.h> (include dir
# deps/), a path no runtime header directory has, so the runtime's own zlib.h is never picked up.
{
  'targets': [
    {
      'target_name': 'zlib',
      'type': 'static_library',
      'include_dirs': ['zlib'],
      'direct_dependent_settings': {
        'include_dirs': ['.'],
      },
      'sources': [
        'zlib/adler32.c', 'zlib/compress.c', 'zlib/crc32.c', 'zlib/deflate.c', 'zlib/infback.c',
        'zlib/inffast.c', 'zlib/inflate.c', 'zlib/inftrees.c', 'zlib/trees.c', 'zlib/uncompr.c',
        'zlib/zutil.c',
      ],
      'cflags': ['-fvisibility=hidden', '-O3', '-Wno-implicit-fallthrough'],
      'defines': ['UNALIGNED_OK'],
      'conditions': [
        ['OS!="win"', {'defines': ['HAVE_UNISTD_H']}],
      ],
      'xcode_settings': {
        'GCC_SYMBOLS_PRIVATE_EXTERN': 'YES',
        'OTHER_CFLAGS': ['-fvisibility=hidden', '-O3'],
      },
      'msvs_settings': {
        # zlib's C is older than MSVC's warning set (4267 size_t to uInt, 4244 conversions).
        'VCCLCompilerTool': {'DisableSpecificWarnings': ['4267', '4244', '4996']},
      },
    },
  ],
}
