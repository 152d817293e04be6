// QF_CHECK: programmer-bug assertions, always on. Never use for anything a
// model file or a user can trigger; those return a Status.
#pragma once

#include <cstdio>
#include <cstdlib>

#define QF_CHECK(cond)                                                                 \
  do {                                                                                 \
    if (!(cond)) {                                                                     \
      std::fprintf(stderr, "%s:%d: QF_CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
      std::abort();                                                                    \
    }                                                                                  \
  } while (0)

#ifdef NDEBUG
#define QF_DCHECK(cond) \
  do {                  \
  } while (0)
#else
#define QF_DCHECK(cond) QF_CHECK(cond)
#endif
