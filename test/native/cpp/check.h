// Minimal assertion macros shared by the standalone C++ test drivers in test/native/cpp/: a failed
// check prints file:line and the values, counts, and lets the test continue. No napi.h, no uv.h.
#ifndef NODE_HTTPUV_TEST_NATIVE_CPP_CHECK_H_
#define NODE_HTTPUV_TEST_NATIVE_CPP_CHECK_H_

#include <iostream>

extern int g_checks;
extern int g_failures;

#define CHECK(cond)                                                               \
  do {                                                                            \
    ++g_checks;                                                                   \
    if (!(cond)) {                                                                \
      ++g_failures;                                                               \
      std::cerr << __FILE__ << ":" << __LINE__ << ": CHECK(" #cond ") failed\n"; \
    }                                                                             \
  } while (0)

#define CHECK_EQ(a, b)                                                                  \
  do {                                                                                  \
    ++g_checks;                                                                         \
    const auto& a_ = (a);                                                               \
    const auto& b_ = (b);                                                               \
    if (!(a_ == b_)) {                                                                  \
      ++g_failures;                                                                     \
      std::cerr << __FILE__ << ":" << __LINE__ << ": CHECK_EQ(" #a ", " #b ") failed: " \
                << a_ << " != " << b_ << "\n";                                          \
    }                                                                                   \
  } while (0)

// Helper tests in static_helpers_test.cc, run by static_files_test.cc's main().
void TestNegotiation();
void TestMime();
void TestResolveHelpers();
void TestUtilText();

#endif  // NODE_HTTPUV_TEST_NATIVE_CPP_CHECK_H_
