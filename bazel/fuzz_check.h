// FUZZ_CHECK(cond): a fuzz target's invariant. A failure prints the
// condition and aborts, which libFuzzer reports as a crash and keeps the
// input (and the gcc replay of the corpus fails).
#ifndef KURIER_BAZEL_FUZZ_CHECK_H_
#define KURIER_BAZEL_FUZZ_CHECK_H_

#include <cstdio>
#include <cstdlib>

#define FUZZ_CHECK(cond)                                                            \
  do {                                                                              \
    if (!(cond)) {                                                                  \
      std::fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
      std::abort();                                                                 \
    }                                                                               \
  } while (0)

#endif  // KURIER_BAZEL_FUZZ_CHECK_H_
