// FUZZ_CHECK: the invariant check every fuzz target uses; a failed one prints what broke and
// aborts, which libFuzzer records as a finding with the input that caused it.
#ifndef NODE_HTTPUV_FUZZ_CHECK_H_
#define NODE_HTTPUV_FUZZ_CHECK_H_

#include <cstdio>
#include <cstdlib>

#define FUZZ_CHECK(cond, what)                                                           \
  do {                                                                                   \
    if (!(cond)) {                                                                       \
      fprintf(stderr, "invariant failed: %s (%s) at %s:%d\n", what, #cond, __FILE__, __LINE__); \
      abort();                                                                           \
    }                                                                                    \
  } while (0)

#endif  // NODE_HTTPUV_FUZZ_CHECK_H_
