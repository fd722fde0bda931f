# The node-httpuv addon. libuv and zlib are the Node runtime's own copies (Node and Electron export
# uv_* and zlib symbols, and node-gyp ships their headers): a second libuv in the process would buy
# nothing and risk symbol clashes. llhttp is vendored and linked statically with hidden visibility.
# Sources are every .cc under src-native/ (listed by scripts/list-sources.js) so adding a file needs
# no edit here.
{
  'variables': {
    'httpuv_sanitize%': '',
  },
  'targets': [
    {
      'target_name': 'httpuv',
      'sources': ['<!@(node scripts/list-sources.js)'],
      'dependencies': [
        "<!(node -p \"require('node-addon-api').targets\"):node_addon_api_except",
        'deps/llhttp.gyp:llhttp',
      ],
      'include_dirs': ['src-native'],
      'defines': ['NAPI_VERSION=8'],
      'cflags!': ['-fno-exceptions'],
      'cflags_cc!': ['-fno-exceptions', '-fno-rtti', '-std=gnu++17'],
      'cflags': ['-fvisibility=hidden', '-Wall', '-Wextra', '-Wno-unused-parameter'],
      'cflags_cc': ['-std=c++17', '-fvisibility=hidden', '-fexceptions'],
      'xcode_settings': {
        'GCC_ENABLE_CPP_EXCEPTIONS': 'YES',
        'GCC_SYMBOLS_PRIVATE_EXTERN': 'YES',
        'CLANG_CXX_LANGUAGE_STANDARD': 'c++17',
        'MACOSX_DEPLOYMENT_TARGET': '10.15',
      },
      'msvs_settings': {
        'VCCLCompilerTool': {'ExceptionHandling': 1, 'AdditionalOptions': ['/std:c++17']},
      },
      'conditions': [
        ['OS=="linux"', {
          'ldflags': ['-Wl,--exclude-libs,ALL'],
        }],
        ['httpuv_sanitize=="address"', {
          'cflags': ['-fsanitize=address,undefined', '-fno-omit-frame-pointer', '-O1', '-g'],
          'ldflags': ['-fsanitize=address,undefined'],
        }],
        ['httpuv_sanitize=="thread"', {
          'cflags': ['-fsanitize=thread', '-O1', '-g'],
          'ldflags': ['-fsanitize=thread'],
        }],
      ],
      'configurations': {
        'Debug': {'defines': ['HTTPUV_DEBUG=1']},
        'Release': {'cflags': ['-O2']},
      },
    },
  ],
}
