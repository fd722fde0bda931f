# Builds the vendored llhttp release (deps/llhttp, see deps/llhttp/VENDOR.md) as a static library.
# Hidden visibility: the Node runtime exports its own llhttp_* symbols (another version), and the
# addon must neither export ours nor bind to the runtime's (on Windows: llhttp_noexport.h).
# scripts/check-symbols.mjs verifies it.
{
  'targets': [
    {
      'target_name': 'llhttp',
      'type': 'static_library',
      'include_dirs': ['llhttp/include'],
      'direct_dependent_settings': {
        'include_dirs': ['llhttp/include'],
      },
      'sources': ['llhttp/src/llhttp.c', 'llhttp/src/api.c', 'llhttp/src/http.c'],
      'cflags': ['-fvisibility=hidden', '-O3', '-Wno-unused-parameter'],
      'xcode_settings': {
        'GCC_SYMBOLS_PRIVATE_EXTERN': 'YES',
        'OTHER_CFLAGS': ['-fvisibility=hidden', '-O3'],
      },
      'conditions': [
        ['OS=="win"', {
          # llhttp.h declares its API __declspec(dllexport) on Windows; llhttp_noexport.h (read
          # first) makes that empty, so the addon DLL exports no llhttp_* name.
          'include_dirs': ['.'],
          'msvs_settings': {
            'VCCLCompilerTool': { 'ForcedIncludeFiles': ['llhttp_noexport.h'] },
          },
        }],
      ],
    },
  ],
}
