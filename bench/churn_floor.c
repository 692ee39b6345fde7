// The floor of sustained order-0 churn on the engine's data layout, in C (issue 14): the loop of
// bench/churn_floor.bench.ts (its comment says what it does and leaves out), with the prefetch
// passes as hardware prefetches. What a compiled core could reach at best on the same layout.
//   cc -O2 -o /tmp/churn_floor bench/churn_floor.c && /tmp/churn_floor 16
// Prints ns per page operation (an allocation or a free) for a guest of the given GiB, over the
// given number of requests after the warm-up (default 20 M).
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <time.h>
#define MAXO 10
static uint16_t *page; static int32_t *lnk; static int32_t head[11], tail_[11], nrFree[11];
enum { BUDDY = 4, ALLOC = 3, PCP = 5 };
static inline void del(int p) { int n = lnk[2*p], q = lnk[2*p+1]; if (q >= 0) lnk[2*q] = n; else head[-2-q] = n >= 0 ? n : -1; if (n >= 0) lnk[2*n+1] = q; else tail_[-2-n] = q >= 0 ? q : -1; }
static inline void addHead(int o, int p) { int h = head[o]; lnk[2*p+1] = -2-o; if (h >= 0) { lnk[2*p] = h; lnk[2*h+1] = p; } else { lnk[2*p] = -2-o; tail_[o] = p; } head[o] = p; }
static void freeOne(int pfn) { int o = 0; page[pfn] = 0; while (o < MAXO) { int b = pfn ^ (1 << o); if (page[b] != (BUDDY | ((o+1) << 8))) break; del(b); page[b] = 0; nrFree[o]--; pfn &= b; o++; } page[pfn] = BUDDY | ((o+1) << 8); addHead(o, pfn); nrFree[o]++; }
static int allocBuddy(void) { for (int o = 0; o <= MAXO; o++) { int p = head[o]; if (p < 0) continue; del(p); nrFree[o]--; page[p] = 0; int hi = o; while (hi > 0) { hi--; int h = p + (1 << hi); page[h] = BUDDY | ((hi+1) << 8); addHead(hi, h); nrFree[hi]++; } return p; } return -1; }
#define CPUS 4
#define RING (1 << 16)
static int32_t ring[CPUS * RING]; static int first[CPUS], len[CPUS];
#define HIGH 4700
#define DRAIN (HIGH - 63)
#define BATCH 63
static uint32_t s0 = 0x12345678, s1 = 0x9abcdef, s2 = 0x13579bdf, s3 = 0x2468ace0;
static inline uint32_t next(void) { uint32_t out = s0 + s2; uint32_t a0 = s2 ^ s0, a1 = s3 ^ s1, o0 = s0, o1 = s1; s0 = o0 << 24 ^ o1 >> 8 ^ a0 ^ a0 << 16; s1 = o1 << 24 ^ o0 >> 8 ^ a1 ^ (a1 << 16 | a0 >> 16); s2 = a1 << 5 ^ a0 >> 27; s3 = a0 << 5 ^ a1 >> 27; return out; }
static int32_t *entries; static int length = 0, slot = 0; static long LIVE; 
static void alloc_(void) { int cpu = slot; slot = (slot + 1) & 3;
  if (len[cpu] == 0) for (int i = 0; i < BATCH; i++) { int b = allocBuddy(); page[b] = PCP | (1 << 8); ring[cpu * RING + ((first[cpu] + len[cpu]++) & (RING - 1))] = b; }
  int p = ring[cpu * RING + first[cpu]]; first[cpu] = (first[cpu] + 1) & (RING - 1); len[cpu]--;
  page[p] = ALLOC | (1 << 8); entries[length] = p; lnk[2*p] = length; lnk[2*p+1] = 1 << 24 | 1; length++; }
static int free_(int i) { int cpu = slot; slot = (slot + 1) & 3; int p = entries[i]; if (page[p] != (ALLOC | (1 << 8))) abort();
  int lru = lnk[2*p+1]; int m = entries[--length]; entries[i] = m; lnk[2*m] = i;
  page[p] = PCP | (1 << 8); first[cpu] = (first[cpu] - 1) & (RING - 1); ring[cpu * RING + first[cpu]] = p; len[cpu]++;
  if (len[cpu] >= HIGH) { for (int k = 0; k < DRAIN; k++) { int q = ring[cpu * RING + ((first[cpu] + len[cpu] - 1 - k) & (RING - 1))]; __builtin_prefetch(&page[q]); __builtin_prefetch(&lnk[2*q]); }
    for (int k = 0; k < DRAIN; k++) { len[cpu]--; int q = ring[cpu * RING + ((first[cpu] + len[cpu]) & (RING - 1))]; freeOne(q); } }
  return lru; }
static int picks[4096];
static int runP(long n) { int x = 0; for (long j = 0; j < n; j += 100) {
  for (int r = 0; r < 100; r++) { next(); next(); uint32_t v = next() ^ 0x80000000u; long L = LIVE + 1; picks[r] = v % L; }
  for (int r = 0; r < 100; r++) __builtin_prefetch(&entries[picks[r]]);
  for (int r = 0; r < 100; r++) { int p = entries[picks[r]]; __builtin_prefetch(&page[p]); __builtin_prefetch(&lnk[2*p+1]); }
  for (int r = 0; r < 100; r++) { alloc_(); x ^= free_(picks[r]); } } return x; }
int main(int argc, char **argv) { int G = argc > 1 ? atoi(argv[1]) : 16; long N = argc > 2 ? atol(argv[2]) : 20000000; long NP = (long)G * 262144; LIVE = (long)G * 65536;
  page = calloc(NP, 2); lnk = calloc(2 * NP, 4); entries = calloc(2 * LIVE + 16, 4);
  for (int o = 0; o < 11; o++) head[o] = tail_[o] = -1;
  for (long p = 0; p < NP; p += 1024) { page[p] = BUDDY | (11 << 8); addHead(10, p); nrFree[10]++; }
  for (long i = 0; i < (long)G * 131072; i++) allocBuddy();
  for (long i = 0; i < LIVE; i++) alloc_();
  runP(LIVE * 2);
  struct timespec a, b; clock_gettime(CLOCK_MONOTONIC, &a); int x = runP(N); clock_gettime(CLOCK_MONOTONIC, &b);
  printf("churn floor in C, %d GiB: %.1f ns/op%s\n", G, ((b.tv_sec - a.tv_sec) * 1e9 + (b.tv_nsec - a.tv_nsec)) / (2.0 * N), x == 0x7fffffff ? " " : ""); }
