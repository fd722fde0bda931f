# The node-httpuv addon. libuv is the Node runtime's own copy (Node and Electron export uv_*
# symbols to native modules, and node-gyp ships its headers): a second libuv in the process would buy
# nothing and risk symbol clashes. llhttp and zlib are vendored (deps/) and linked statically with
# hidden visibility: a prebuilt binary needs only N-API and libuv from its host.
# Sources are every .cc under src-native/ (listed by scripts/list-sources.js) so adding a file needs
# no edit here.
{
  'variables': {
    'httpuv_sanitize%': '',
    # N-API version the addon is compiled against (node-addon-api's NAPI_VERSION). One binary
    # serves every Node >= 20 and Electron; package.json "binary.napi_versions" says the same,
    # and node-pre-gyp-style tools that pass --napi_build_version override it consistently.
    'napi_build_version%': '8',
    # 1 = compile with NODE_API_NO_EXTERNAL_BUFFERS_ALLOWED: node-addon-api's NewOrCopy always
    # copies (what Electron's V8 memory cage requires anyway; see README "Electron").
    'httpuv_no_external_buffers%': 0,
  },
  'targets': [
    {
      'target_name': 'httpuv',
      'sources': ['<!@(node scripts/list-sources.js)'],
      'dependencies': [
        "<!(node -p \"require('node-addon-api').targets\"):node_addon_api_except",
        'deps/llhttp.gyp:llhttp',
        'deps/zlib.gyp:zlib',
      ],
      'include_dirs': ['src-native'],
      'defines': ['NAPI_VERSION=<(napi_build_version)', 'NODE_API_SWALLOW_UNTHROWABLE_EXCEPTIONS'],
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
        ['httpuv_no_external_buffers==1', {
          'defines': ['NODE_API_NO_EXTERNAL_BUFFERS_ALLOWED'],
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
