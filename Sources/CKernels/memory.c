// How the process's memory is mapped, for the embedding commands: glibc's allocator controls and the
// kernel's page population. (Each first write to a page faulted it in one at a time: about 2 µs a page
// on a KVM guest with two cores, where `panoptes embed` of 96 MobileNetV2 crops faulted 14,000 pages.)
#include "CKernels.h"

#include <limits.h>
#include <pthread.h>
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
    // A heap that must grow grows by 16 MiB more than it needs (address space: its pages are mapped
    // only when written). Each growth of a thread's heap is an mprotect, which waits for the mmap lock
    // that a prefault holds (ck_reserve_heap's thread, ck_prefault): `panoptes embed`'s image-decoding
    // thread, whose heap grew by 128 KiB at a time, slept about seven times a run and had decoded only
    // 33-92 of 96 crops when the network was built; with the pad, all 96 (10 runs each). The whole
    // process of 96 MobileNetV2 crops: 1.3% less time in 30 alternating runs (298 and 302 ms), no
    // different in 40 more on a noisier host.
    const int padded = mallopt(M_TOP_PAD, 16 << 20);
    return below && kept && padded;
#else
    return 0;
#endif
}

// The whole pages of `start ..< start + bytes` (`*first ..< *end`, empty when none), and the page size.
static uintptr_t whole_pages(void *start, size_t bytes, uintptr_t *first, uintptr_t *end) {
    const long size = sysconf(_SC_PAGESIZE);
    const uintptr_t page = size > 0 ? (uintptr_t)size : 4096;
    *first = ((uintptr_t)start + page - 1) & ~(page - 1);
    *end = ((uintptr_t)start + bytes) & ~(page - 1);
    if (*end < *first) *end = *first;
    return page;
}

void ck_prefault(void *start, size_t bytes) {
    uintptr_t first, end;
    const uintptr_t page = whole_pages(start, bytes, &first, &end);
    if (end == first || madvise((void *)first, end - first, MADV_POPULATE_WRITE) == 0) return;
    // An older kernel: touch each page (reading and writing back the same byte keeps its contents).
    for (volatile unsigned char *p = (volatile unsigned char *)first; (uintptr_t)p < end; p += page) *p = *p;
}

// The blocks a reservation frees, prefaulted by a thread of its own.
struct reservation {
    size_t count;
    struct { char *start; size_t bytes; } blocks[];
};

// Last block first: the loading that runs meanwhile fills the heap from its bottom (faulting in what it
// reaches first itself), so the two meet rather than fault the same pages. MADV_POPULATE_WRITE only,
// never ck_prefault's touching: the blocks are freed, and were the allocator to give a range back to the
// system, the call fails where a touch would fault on memory no longer mapped.
static void *prefault_reservation(void *argument) {
    struct reservation *reservation = argument;
    for (size_t i = reservation->count; i-- > 0;) {
        uintptr_t first, end;
        whole_pages(reservation->blocks[i].start, reservation->blocks[i].bytes, &first, &end);
        if (end > first) madvise((void *)first, end - first, MADV_POPULATE_WRITE);
    }
    free(reservation);
    return NULL;
}

void ck_reserve_heap(size_t bytes) {
    if (bytes == 0) return;
    // Blocks below ck_keep_freed_memory's 32 MiB mapping threshold come from the heap and stay in it once
    // freed; one larger block was a mapping of its own, prefaulted only to be unmapped by `free`.
    const size_t block = 16 << 20, count = (bytes + block - 1) / block;
    struct reservation *reservation = malloc(sizeof *reservation + count * sizeof reservation->blocks[0]);
    if (!reservation) return;
    reservation->count = 0;
    for (size_t done = 0; done < bytes; done += block) {
        const size_t size = bytes - done < block ? bytes - done : block;
        char *start = malloc(size);
        if (!start) break;
        reservation->blocks[reservation->count].start = start;
        reservation->blocks[reservation->count++].bytes = size;
    }
    // Freed before they are prefaulted: the heap keeps them mapped (prefaulting memory in use changes
    // nothing in it), and the caller's allocations may take them at once.
    for (size_t i = 0; i < reservation->count; i++) free(reservation->blocks[i].start);
    pthread_attr_t attributes;
    pthread_t thread;
    int started = 0;
    if (pthread_attr_init(&attributes) == 0) {
        pthread_attr_setdetachstate(&attributes, PTHREAD_CREATE_DETACHED);
        pthread_attr_setstacksize(&attributes, 64 << 10);
        started = pthread_create(&thread, &attributes, prefault_reservation, reservation) == 0;
        pthread_attr_destroy(&attributes);
    }
    if (!started) prefault_reservation(reservation);
}
