/* SPDX-License-Identifier: EUPL-1.2 */
/* The libFuzzer entry point every fuzz_NAME.c defines. Each target is a pure function of its
 * input, run on one thread; replay.c calls it for the files of a corpus where libFuzzer is
 * not linked (the normal gcc build). A target calls fuzz_fail() for a broken invariant, so
 * that a wrong answer fails like a crash. */
#ifndef TOLK_FUZZ_H
#define TOLK_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define fuzz_fail(...)                                                                            \
    do {                                                                                          \
        fprintf(stderr, "fuzz invariant broken at %s:%d: ", __FILE__, __LINE__);                  \
        fprintf(stderr, __VA_ARGS__);                                                             \
        fputc('\n', stderr);                                                                      \
        abort();                                                                                  \
    } while (0)

#endif
