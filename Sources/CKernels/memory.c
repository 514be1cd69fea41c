// How the process's memory is mapped, for the embedding commands: glibc's allocator controls and the
// kernel's page population. (Each first write to a page faulted it in one at a time: about 2 µs a page
// on a KVM guest with two cores, where `panoptes embed` of 96 MobileNetV2 crops faulted 14,000 pages.)
#include "CKernels.h"

#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23  // Linux 5.14
#endif

int ck_keep_freed_memory(void) {
#ifdef __GLIBC__
    // 32 MiB is the largest threshold glibc takes on 64-bit (half its largest heap); larger blocks are
    // still mapped on their own. Setting either also stops glibc from moving the threshold itself.
    const int below = mallopt(M_MMAP_THRESHOLD, 32 << 20);
    const int kept = mallopt(M_TRIM_THRESHOLD, INT_MAX);
    return below && kept;
#else
    return 0;
#endif
}

void ck_prefault(void *start, size_t bytes) {
    const long size = sysconf(_SC_PAGESIZE);
    const uintptr_t page = size > 0 ? (uintptr_t)size : 4096;
    const uintptr_t first = ((uintptr_t)start + page - 1) & ~(page - 1);
    const uintptr_t end = ((uintptr_t)start + bytes) & ~(page - 1);
    if (end <= first) return;
    if (madvise((void *)first, end - first, MADV_POPULATE_WRITE) == 0) return;
    // An older kernel: touch each page (reading and writing back the same byte keeps its contents).
    for (volatile unsigned char *p = (volatile unsigned char *)first; (uintptr_t)p < end; p += page) *p = *p;
}

void ck_reserve_heap(size_t bytes) {
    if (bytes == 0) return;
    void *block = malloc(bytes);
    if (!block) return;
    ck_prefault(block, bytes);
    free(block);
}
