/*
 * prlab-guest: the workload and sampler that `prlab record-guest` runs inside the guest.
 *
 * Built static (gcc -static -O2 -pthread) and started by the initramfs' /init. It
 *   - samples /proc/buddyinfo, /proc/vmstat and the per-CPU list counts of /proc/zoneinfo
 *     every --period-ms on CLOCK_MONOTONIC,
 *   - loads the virtio_balloon module itself (finit_module) so the registration time is known,
 *   - arms a kprobe on virtballoon_free_page_report() and forwards every hit from trace_pipe
 *     (trace_clock=mono, the same clock as the samples),
 *   - runs the phase script (alloc/touch/hold/idle/free/freestripe/churn/nohuge, the language of
 *     the reference recordings in shared/reference/real-guest),
 * and writes everything as text lines to a virtio-serial port. The host stamps each line on
 * arrival and puts guest times on its own axis (src/host/guest/). Line kinds:
 *   M key value              guest facts (meta.json)
 *   B ms zone n0 .. n10      /proc/buddyinfo
 *   V ms key=value ...       selected /proc/vmstat counters
 *   P ms zone free c0 c1 ..  zone free pages and per-CPU list counts ("-" where a zone has none)
 *   E ms text                workload events
 *   T raw                    a trace_pipe line: the kprobe hits (the host parses their fields) and,
 *                            with --trace-kmem, the kmem page events (kept as trace.txt)
 *   D name / | line / D end  a text dump (zoneinfo, vmstat, pagetypeinfo, dmesg at the end)
 *   X ms done                the end
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/klog.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#define PAGE_SIZE_BYTES 4096UL
#define HUGE_ALIGN_BYTES (2UL << 20)
#define MAX_ZONES 8
#define MAX_CPUS 64
#define TRACEFS "/sys/kernel/tracing"

static int out_fd = -1;
static pthread_mutex_t out_lock = PTHREAD_MUTEX_INITIALIZER;
static volatile int stop_threads;

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void die(const char *fmt, ...);

/* One line, one write(): lines of different threads never interleave. */
static void emit(const char *fmt, ...)
{
	char buf[8192];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, sizeof(buf) - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if (n > (int)sizeof(buf) - 2)
		n = sizeof(buf) - 2;
	buf[n++] = '\n';
	pthread_mutex_lock(&out_lock);
	for (int off = 0; off < n;) {
		ssize_t w = write(out_fd, buf + off, n - off);
		if (w < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			break;
		}
		off += w;
	}
	pthread_mutex_unlock(&out_lock);
}

static void event(const char *fmt, ...)
{
	char text[4096];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	emit("E %.3f %s", now_ms(), text);
}

static void die(const char *fmt, ...)
{
	char text[4096];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	fprintf(stderr, "prlab-guest: %s\n", text);
	if (out_fd >= 0)
		emit("E %.3f error %s", now_ms(), text);
	exit(1);
}

/* Whole small file into buf (NUL-terminated); -1 when it cannot be read. */
static ssize_t read_file(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	size_t len = 0;
	while (len < size - 1) {
		ssize_t r = read(fd, buf + len, size - 1 - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		len += r;
	}
	close(fd);
	buf[len] = 0;
	return len;
}

static int write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ssize_t w = write(fd, text, strlen(text));
	close(fd);
	return w == (ssize_t)strlen(text) ? 0 : -1;
}

static void meta_file(const char *key, const char *path)
{
	char buf[4096];
	if (read_file(path, buf, sizeof(buf)) < 0) {
		emit("M %s ", key);
		return;
	}
	buf[strcspn(buf, "\n")] = 0;
	emit("M %s %s", key, buf);
}

static void dump(const char *name, const char *path)
{
	static char buf[1 << 20];
	ssize_t len = read_file(path, buf, sizeof(buf));
	emit("D %s", name);
	if (len > 0) {
		for (char *save = NULL, *line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
			emit("| %s", line);
	}
	emit("D end");
}

/* ---------------------------------------------------------------- sampler */

static const char *VMSTAT_KEYS[] = {
	"nr_free_pages", "nr_zone_inactive_anon", "nr_zone_active_anon", "nr_slab_unreclaimable",
	"nr_anon_pages", "nr_file_pages", "nr_anon_transparent_hugepages", "nr_kernel_stack",
	"nr_page_table_pages", "pgalloc_dma", "pgalloc_dma32", "pgalloc_normal", "pgfree", "pgfault",
	"pgmigrate_success", "compact_stall", "compact_success", "compact_daemon_wake",
	"thp_fault_alloc", "thp_split_page", NULL,
};

static void sample_buddyinfo(double t)
{
	char buf[8192];
	if (read_file("/proc/buddyinfo", buf, sizeof(buf)) <= 0)
		return;
	for (char *save = NULL, *line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *zone = strstr(line, "zone");
		if (!zone)
			continue;
		zone += 4;
		while (*zone == ' ')
			zone++;
		char *end = zone;
		while (*end && *end != ' ')
			end++;
		if (*end)
			*end++ = 0;
		emit("B %.3f %s %s", t, zone, end);
	}
}

static void sample_vmstat(double t)
{
	static char buf[65536];
	char line[4096];
	size_t used = 0;
	if (read_file("/proc/vmstat", buf, sizeof(buf)) <= 0)
		return;
	used += snprintf(line + used, sizeof(line) - used, "V %.3f", t);
	for (const char **key = VMSTAT_KEYS; *key; key++) {
		size_t klen = strlen(*key);
		for (char *p = buf; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
			if (strncmp(p, *key, klen) == 0 && p[klen] == ' ') {
				used += snprintf(line + used, sizeof(line) - used, " %s=%lu", *key,
						 strtoul(p + klen + 1, NULL, 10));
				break;
			}
		}
	}
	emit("%s", line);
}

struct zone_sample {
	char name[64];
	long free_pages;
	long counts[MAX_CPUS];
};

static void emit_zone(double t, const struct zone_sample *z, int ncpus)
{
	char line[2048];
	size_t used = snprintf(line, sizeof(line), "P %.3f %s %ld", t, z->name, z->free_pages);
	for (int c = 0; c < ncpus; c++) {
		if (z->counts[c] < 0)
			used += snprintf(line + used, sizeof(line) - used, " -");
		else
			used += snprintf(line + used, sizeof(line) - used, " %ld", z->counts[c]);
	}
	emit("%s", line);
}

/* Per zone: "pages free N", then under "pagesets" one "cpu: i" and its "count: N" per CPU, as
 * zoneinfo_show_print() prints them. Pages on the per-CPU lists are in neither buddyinfo nor
 * nr_free_pages. A zone without pagesets (unpopulated) gets "-". */
static void sample_zoneinfo(double t, int ncpus)
{
	static char buf[1 << 20];
	if (read_file("/proc/zoneinfo", buf, sizeof(buf)) <= 0)
		return;
	struct zone_sample z;
	int cpu = -1, have_zone = 0;
	for (char *save = NULL, *l = strtok_r(buf, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		char *p = l;
		while (*p == ' ')
			p++;
		if (strncmp(l, "Node ", 5) == 0) {
			if (have_zone)
				emit_zone(t, &z, ncpus);
			char *name = strstr(l, "zone");
			have_zone = name != NULL;
			if (!name)
				continue;
			name += 4;
			while (*name == ' ')
				name++;
			snprintf(z.name, sizeof(z.name), "%s", name);
			z.name[strcspn(z.name, " ")] = 0;
			z.free_pages = -1;
			for (int c = 0; c < MAX_CPUS; c++)
				z.counts[c] = -1;
			cpu = -1;
		} else if (strncmp(p, "pages free", 10) == 0) {
			z.free_pages = strtol(p + 10, NULL, 10);
		} else if (strncmp(p, "cpu:", 4) == 0) {
			cpu = strtol(p + 4, NULL, 10);
		} else if (strncmp(p, "count:", 6) == 0 && cpu >= 0 && cpu < MAX_CPUS) {
			z.counts[cpu] = strtol(p + 6, NULL, 10);
		}
	}
	if (have_zone)
		emit_zone(t, &z, ncpus);
}

static int sample_ncpus;
static long sample_period_ms = 200;

static void sample_all(void)
{
	double t = now_ms();
	sample_buddyinfo(t);
	sample_vmstat(t);
	sample_zoneinfo(t, sample_ncpus);
}

static void *sampler_main(void *arg)
{
	(void)arg;
	struct timespec next;
	clock_gettime(CLOCK_MONOTONIC, &next);
	while (!stop_threads) {
		sample_all();
		next.tv_nsec += sample_period_ms * 1000000L;
		while (next.tv_nsec >= 1000000000L) {
			next.tv_nsec -= 1000000000L;
			next.tv_sec++;
		}
		while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL) == EINTR)
			;
	}
	return NULL;
}

/* ---------------------------------------------------------------- kprobe */

static int trace_fd = -1;
static int trace_kmem;

static void *trace_main(void *arg)
{
	(void)arg;
	char buf[65536];
	size_t have = 0;
	struct pollfd pfd = { .fd = trace_fd, .events = POLLIN };
	for (;;) {
		int ready = poll(&pfd, 1, 100);
		if (ready <= 0) {
			if (stop_threads)
				break;
			continue;
		}
		ssize_t r = read(trace_fd, buf + have, sizeof(buf) - 1 - have);
		if (r < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (r <= 0)
			break;
		have += r;
		buf[have] = 0;
		char *start = buf, *nl;
		while ((nl = strchr(start, '\n'))) {
			*nl = 0;
			if (*start)
				emit("T %s", start);
			start = nl + 1;
		}
		have = strlen(start);
		memmove(buf, start, have);
		if (have == sizeof(buf) - 1)
			have = 0; /* a line longer than the buffer: drop it */
	}
	return NULL;
}

/* p:gt/report on the balloon's report callback: nents (3rd argument) and the first
 * scatterlist entry's length (struct scatterlist.length at offset 12, x86_64 ABI). */
static int arm_kprobe(void)
{
	if (write_file(TRACEFS "/trace_clock", "mono") < 0)
		return -1;
	write_file(TRACEFS "/buffer_size_kb", "4096");
	int fd = open(TRACEFS "/kprobe_events", O_WRONLY | O_APPEND | O_CLOEXEC);
	if (fd < 0)
		return -1;
	const char *def = "p:gt/report virtballoon_free_page_report nents=%dx:u32 len0=+12(%si):u32\n";
	ssize_t w = write(fd, def, strlen(def));
	close(fd);
	if (w < 0)
		return -1;
	if (write_file(TRACEFS "/events/gt/report/enable", "1") < 0)
		return -1;
	if (trace_kmem) {
		static const char *events[] = { "mm_page_alloc", "mm_page_free", "mm_page_free_batched", "mm_page_pcpu_drain" };
		char path[256];
		for (size_t i = 0; i < sizeof(events) / sizeof(events[0]); i++) {
			snprintf(path, sizeof(path), TRACEFS "/events/kmem/%s/enable", events[i]);
			if (write_file(path, "1") < 0)
				return -1;
		}
	}
	write_file(TRACEFS "/tracing_on", "1");
	trace_fd = open(TRACEFS "/trace_pipe", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	return trace_fd < 0 ? -1 : 0;
}

/* ---------------------------------------------------------------- workload */

struct region {
	char *addr;
	size_t len;
	int touched;
};

static struct region regions[4096];
static int nregions;
static int nohuge;
static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint64_t rng_next(void) /* xorshift64*: a seeded, reproducible slot sequence */
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 2685821657736338717ULL;
}

static size_t total_mapped(void)
{
	size_t sum = 0;
	for (int i = 0; i < nregions; i++)
		sum += regions[i].len;
	return sum;
}

/* Resident bytes of a mapping (mincore), what munmap or MADV_DONTNEED hands back. */
static size_t resident_bytes(char *addr, size_t len)
{
	size_t pages = len / PAGE_SIZE_BYTES, resident = 0;
	unsigned char *vec = malloc(pages ? pages : 1);
	if (!vec || mincore(addr, len, vec) != 0) {
		free(vec);
		return 0;
	}
	for (size_t i = 0; i < pages; i++)
		resident += vec[i] & 1;
	free(vec);
	return resident * PAGE_SIZE_BYTES;
}

/* Anonymous mapping aligned to 2 MiB, so THP can back it with huge pages from the start. */
static char *map_aligned(size_t len)
{
	size_t span = len + HUGE_ALIGN_BYTES;
	char *raw = mmap(NULL, span, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (raw == MAP_FAILED)
		return NULL;
	uintptr_t aligned = ((uintptr_t)raw + HUGE_ALIGN_BYTES - 1) & ~(HUGE_ALIGN_BYTES - 1);
	size_t head = aligned - (uintptr_t)raw;
	if (head)
		munmap(raw, head);
	size_t tail = span - head - len;
	if (tail)
		munmap((char *)aligned + len, tail);
	if (nohuge)
		madvise((char *)aligned, len, MADV_NOHUGEPAGE);
	return (char *)aligned;
}

static void touch_range(char *addr, size_t len)
{
	for (size_t off = 0; off < len; off += PAGE_SIZE_BYTES)
		((volatile char *)addr)[off] = 1;
}

static void sleep_ms(double ms)
{
	struct timespec until;
	clock_gettime(CLOCK_MONOTONIC, &until);
	long long ns = until.tv_nsec + (long long)(ms * 1e6);
	until.tv_sec += ns / 1000000000LL;
	until.tv_nsec = ns % 1000000000LL;
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &until, NULL) == EINTR)
		;
}

/* "600M", "4K", "1G", "4096" -> bytes; 0 on a bad size. */
static size_t parse_size(const char *s)
{
	char *end;
	double v = strtod(s, &end);
	if (end == s || v <= 0)
		return 0;
	switch (toupper((unsigned char)*end)) {
	case 'K': v *= 1024; end++; break;
	case 'M': v *= 1024 * 1024; end++; break;
	case 'G': v *= 1024.0 * 1024 * 1024; end++; break;
	default: break;
	}
	if (*end == 'i' || *end == 'B')
		end++;
	if (*end == 'B')
		end++;
	return *end ? 0 : (size_t)v;
}

/* "20s", "5ms", "1.5s", "2m" -> ms; -1 on a bad duration. */
static double parse_duration(const char *s)
{
	char *end;
	double v = strtod(s, &end);
	if (end == s || v < 0)
		return -1;
	if (strcmp(end, "ms") == 0)
		return v;
	if (strcmp(end, "s") == 0 || *end == 0)
		return v * 1e3;
	if (strcmp(end, "m") == 0 || strcmp(end, "min") == 0)
		return v * 60e3;
	return -1;
}

static void cmd_alloc(size_t bytes)
{
	if (nregions == (int)(sizeof(regions) / sizeof(regions[0])))
		die("too many mappings");
	char *addr = map_aligned(bytes);
	if (!addr)
		die("alloc %zu: mmap failed: %s", bytes, strerror(errno));
	regions[nregions++] = (struct region){ addr, bytes, 0 };
	event("alloc bytes=%zu addr=%p total_mapped=%zu", bytes, (void *)addr, total_mapped());
}

static void cmd_touch(void)
{
	double t0 = now_ms();
	size_t bytes = 0;
	for (int i = 0; i < nregions; i++) {
		if (regions[i].touched)
			continue;
		touch_range(regions[i].addr, regions[i].len);
		regions[i].touched = 1;
		bytes += regions[i].len;
	}
	event("touch_done bytes=%zu ms=%.1f", bytes, now_ms() - t0);
}

static void cmd_free(void)
{
	double t0 = now_ms();
	size_t bytes = 0, resident = 0;
	int failures = 0;
	for (int i = 0; i < nregions; i++) {
		resident += resident_bytes(regions[i].addr, regions[i].len);
		bytes += regions[i].len;
		if (munmap(regions[i].addr, regions[i].len) != 0)
			failures++;
	}
	nregions = 0;
	event("free_done bytes=%zu resident_released=%zu ms=%.1f failures=%d total_mapped=%zu", bytes, resident,
	      now_ms() - t0, failures, total_mapped());
}

/* MADV_DONTNEED every other chunk (the 1st, 3rd, ...): the pages go back to the buddy
 * allocator while the mapping stays, as a heap shrinking in place. */
static void cmd_freestripe(size_t chunk)
{
	double t0 = now_ms();
	size_t bytes = 0, resident = 0;
	int failures = 0;
	for (int i = 0; i < nregions; i++) {
		for (size_t off = 0; off < regions[i].len; off += 2 * chunk) {
			size_t len = off + chunk <= regions[i].len ? chunk : regions[i].len - off;
			if (madvise(regions[i].addr + off, len, MADV_DONTNEED) != 0)
				failures++;
			else
				bytes += len;
		}
	}
	for (int i = 0; i < nregions; i++)
		resident += resident_bytes(regions[i].addr, regions[i].len);
	event("free_done stripe=%zu mode=dontneed bytes=%zu ms=%.1f failures=%d total_mapped=%zu resident=%zu", chunk, bytes,
	      now_ms() - t0, failures, total_mapped(), resident);
}

/* Random CHUNK-sized slots of a WS working set, each op maps+touches a free slot or unmaps a
 * mapped one, PAUSE between ops. Slots still mapped at the end stay for a later `free`. */
static void cmd_churn(double dur_ms, size_t ws, size_t chunk, double pause_ms)
{
	size_t nslots = ws / chunk;
	if (nslots == 0 || nslots > 4000)
		die("churn: %zu slots of %zu bytes (1..4000 allowed)", nslots, chunk);
	char **slot = calloc(nslots, sizeof(char *));
	long ops = 0, maps = 0, unmaps = 0;
	size_t mapped = 0;
	event("churn_start ws=%zu chunk=%zu slots=%zu pause_ms=%.1f dur_ms=%.0f seed=%llu", ws, chunk, nslots, pause_ms, dur_ms,
	      (unsigned long long)rng_state);
	double t0 = now_ms(), next_progress = t0 + 1000;
	while (now_ms() - t0 < dur_ms) {
		size_t k = rng_next() % nslots;
		if (slot[k]) {
			munmap(slot[k], chunk);
			slot[k] = NULL;
			mapped -= chunk;
			unmaps++;
		} else {
			slot[k] = map_aligned(chunk);
			if (!slot[k])
				die("churn: mmap failed: %s", strerror(errno));
			touch_range(slot[k], chunk);
			mapped += chunk;
			maps++;
		}
		ops++;
		if (now_ms() >= next_progress) {
			event("churn_progress ops=%ld maps=%ld unmaps=%ld mapped_bytes=%zu", ops, maps, unmaps, mapped);
			next_progress += 1000;
		}
		if (pause_ms > 0)
			sleep_ms(pause_ms);
	}
	for (size_t k = 0; k < nslots; k++) {
		if (slot[k] && nregions < (int)(sizeof(regions) / sizeof(regions[0])))
			regions[nregions++] = (struct region){ slot[k], chunk, 1 };
	}
	free(slot);
	event("churn_done ops=%ld maps=%ld unmaps=%ld mapped_bytes=%zu total_mapped=%zu", ops, maps, unmaps, mapped,
	      total_mapped());
}

static void run_command(char *cmd)
{
	char *argv[8];
	int argc = 0;
	for (char *save = NULL, *tok = strtok_r(cmd, " \t", &save); tok && argc < 8; tok = strtok_r(NULL, " \t", &save))
		argv[argc++] = tok;
	if (argc == 0)
		return;
	if ((strcmp(argv[0], "idle") == 0 || strcmp(argv[0], "hold") == 0) && argc == 2) {
		double ms = parse_duration(argv[1]);
		if (ms < 0)
			die("%s: bad duration %s", argv[0], argv[1]);
		event("%s_start ms=%.0f", argv[0], ms);
		sleep_ms(ms);
		event("%s_done", argv[0]);
	} else if (strcmp(argv[0], "alloc") == 0 && argc == 2) {
		size_t bytes = parse_size(argv[1]);
		if (!bytes)
			die("alloc: bad size %s", argv[1]);
		cmd_alloc(bytes);
	} else if (strcmp(argv[0], "touch") == 0 && argc == 1) {
		cmd_touch();
	} else if (strcmp(argv[0], "free") == 0 && argc == 1) {
		cmd_free();
	} else if (strcmp(argv[0], "freestripe") == 0 && argc == 2) {
		size_t chunk = parse_size(argv[1]);
		if (!chunk || chunk % PAGE_SIZE_BYTES)
			die("freestripe: bad size %s (a multiple of 4K)", argv[1]);
		cmd_freestripe(chunk);
	} else if (strcmp(argv[0], "churn") == 0 && argc == 5) {
		double dur = parse_duration(argv[1]), pause = parse_duration(argv[4]);
		size_t ws = parse_size(argv[2]), chunk = parse_size(argv[3]);
		if (dur < 0 || pause < 0 || !ws || !chunk)
			die("churn: expected DUR WS CHUNK PAUSE, got %s %s %s %s", argv[1], argv[2], argv[3], argv[4]);
		cmd_churn(dur, ws, chunk, pause);
	} else if (strcmp(argv[0], "nohuge") == 0 && argc == 1) {
		nohuge = 1;
		event("huge_mode nohuge");
	} else {
		die("unknown command: %s (argc %d)", argv[0], argc);
	}
}

/* ---------------------------------------------------------------- setup */

static int open_port(const char *name)
{
	char path[512], buf[256];
	for (int tries = 0; tries < 100; tries++) {
		DIR *dir = opendir("/sys/class/virtio-ports");
		struct dirent *de;
		while (dir && (de = readdir(dir))) {
			if (de->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "/sys/class/virtio-ports/%s/name", de->d_name);
			if (read_file(path, buf, sizeof(buf)) <= 0)
				continue;
			buf[strcspn(buf, "\n")] = 0;
			if (strcmp(buf, name) != 0)
				continue;
			snprintf(path, sizeof(path), "/dev/%s", de->d_name);
			closedir(dir);
			int fd = open(path, O_WRONLY | O_CLOEXEC);
			if (fd >= 0)
				return fd;
			dir = NULL;
			break;
		}
		if (dir)
			closedir(dir);
		usleep(50000);
	}
	return -1;
}

static void meta_balloon_features(void)
{
	char path[512], buf[256];
	DIR *dir = opendir("/sys/bus/virtio/devices");
	struct dirent *de;
	while (dir && (de = readdir(dir))) {
		snprintf(path, sizeof(path), "/sys/bus/virtio/devices/%s/device", de->d_name);
		if (read_file(path, buf, sizeof(buf)) <= 0 || strtol(buf, NULL, 16) != 5)
			continue;
		snprintf(path, sizeof(path), "/sys/bus/virtio/devices/%s/features", de->d_name);
		meta_file("balloon_features", path);
	}
	if (dir)
		closedir(dir);
}

static void dump_dmesg(void)
{
	static char buf[1 << 20];
	int len = klogctl(3 /* SYSLOG_ACTION_READ_ALL */, buf, sizeof(buf) - 1);
	emit("D dmesg");
	if (len > 0) {
		buf[len] = 0;
		for (char *save = NULL, *line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
			emit("| %s", line);
	}
	emit("D end");
}

static void dump_trace_stats(int ncpus)
{
	char path[256], buf[4096];
	for (int c = 0; c < ncpus; c++) {
		snprintf(path, sizeof(path), TRACEFS "/per_cpu/cpu%d/stats", c);
		if (read_file(path, buf, sizeof(buf)) <= 0)
			continue;
		char *o = strstr(buf, "overrun:");
		emit("M trace_overrun_cpu%d %ld", c, o ? strtol(o + 8, NULL, 10) : -1L);
	}
}

static void usage(void)
{
	fprintf(stderr, "usage: prlab-guest --script 'CMD; CMD; ...' [--port NAME] [--period-ms N] [--seed N]\n"
			"                   [--balloon virtio_balloon.ko] [--order-sysfs N] [--trace-kmem] [--no-kprobe]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	const char *script = NULL, *port = "prlab.data", *balloon = NULL, *order_sysfs = NULL;
	int kprobe = 1;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--script") == 0 && i + 1 < argc)
			script = argv[++i];
		else if (strcmp(argv[i], "--port") == 0 && i + 1 < argc)
			port = argv[++i];
		else if (strcmp(argv[i], "--period-ms") == 0 && i + 1 < argc)
			sample_period_ms = strtol(argv[++i], NULL, 10);
		else if (strcmp(argv[i], "--seed") == 0 && i + 1 < argc)
			rng_state = strtoull(argv[++i], NULL, 10) * 0x9e3779b97f4a7c15ULL | 1;
		else if (strcmp(argv[i], "--balloon") == 0 && i + 1 < argc)
			balloon = argv[++i];
		else if (strcmp(argv[i], "--order-sysfs") == 0 && i + 1 < argc)
			order_sysfs = argv[++i];
		else if (strcmp(argv[i], "--trace-kmem") == 0)
			trace_kmem = 1;
		else if (strcmp(argv[i], "--no-kprobe") == 0)
			kprobe = 0;
		else
			usage();
	}
	if (!script || sample_period_ms < 1)
		usage();

	out_fd = open_port(port);
	if (out_fd < 0) {
		fprintf(stderr, "prlab-guest: no virtio-serial port named %s\n", port);
		return 1;
	}
	sample_ncpus = sysconf(_SC_NPROCESSORS_ONLN);
	if (sample_ncpus > MAX_CPUS)
		sample_ncpus = MAX_CPUS;

	struct utsname uts;
	uname(&uts);
	emit("M kernel %s", uts.release);
	emit("M kernel_version %s", uts.version);
	meta_file("cmdline", "/proc/cmdline");
	meta_file("thp_enabled", "/sys/kernel/mm/transparent_hugepage/enabled");
	meta_file("thp_defrag", "/sys/kernel/mm/transparent_hugepage/defrag");
	emit("M nproc %d", sample_ncpus);
	meta_file("min_free_kbytes", "/proc/sys/vm/min_free_kbytes");
	meta_file("watermark_scale_factor", "/proc/sys/vm/watermark_scale_factor");
	meta_file("watermark_boost_factor", "/proc/sys/vm/watermark_boost_factor");
	meta_file("percpu_pagelist_high_fraction", "/proc/sys/vm/percpu_pagelist_high_fraction");
	meta_file("max_map_count", "/proc/sys/vm/max_map_count");
	meta_file("page_reporting_order_before_balloon_load", "/sys/module/page_reporting/parameters/page_reporting_order");
	{
		char buf[65536];
		if (read_file("/proc/meminfo", buf, sizeof(buf)) > 0) {
			char *m = strstr(buf, "MemTotal:");
			emit("M memtotal_kb %ld", m ? strtol(m + 9, NULL, 10) : -1L);
		}
	}
	emit("M sample_period_ms %ld", sample_period_ms);
	dump("zoneinfo_start", "/proc/zoneinfo");

	pthread_t sampler, tracer;
	if (pthread_create(&sampler, NULL, sampler_main, NULL) != 0)
		die("cannot start the sampler thread");

	/* The kprobe needs the module's symbol, so it is armed right after the load: the first
	 * report comes PAGE_REPORTING_DELAY (2 s) after page_reporting_register() at the earliest. */
	if (balloon) {
		int fd = open(balloon, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			die("cannot open %s: %s", balloon, strerror(errno));
		event("balloon_load");
		if (syscall(SYS_finit_module, fd, "", 0) != 0)
			die("finit_module %s: %s", balloon, strerror(errno));
		close(fd);
		event("balloon_loaded");
	}
	if (kprobe && arm_kprobe() < 0)
		die("cannot arm the kprobe on virtballoon_free_page_report (tracefs at " TRACEFS "): %s", strerror(errno));
	if (kprobe && pthread_create(&tracer, NULL, trace_main, NULL) != 0)
		die("cannot start the trace thread");
	meta_file("page_reporting_order_after_register", "/sys/module/page_reporting/parameters/page_reporting_order");
	if (order_sysfs) {
		int ok = write_file("/sys/module/page_reporting/parameters/page_reporting_order", order_sysfs) == 0;
		event("order_sysfs value=%s ok=%d", order_sysfs, ok);
		meta_file("page_reporting_order_after_sysfs", "/sys/module/page_reporting/parameters/page_reporting_order");
	}
	meta_file("page_reporting_order", "/sys/module/page_reporting/parameters/page_reporting_order");
	meta_balloon_features();

	event("script_start");
	char *copy = strdup(script);
	for (char *save = NULL, *cmd = strtok_r(copy, ";", &save); cmd; cmd = strtok_r(NULL, ";", &save)) {
		while (isspace((unsigned char)*cmd))
			cmd++;
		char *end = cmd + strlen(cmd);
		while (end > cmd && isspace((unsigned char)end[-1]))
			*--end = 0;
		if (!*cmd)
			continue;
		event("cmd %s", cmd);
		run_command(cmd);
	}
	event("script_done total_mapped=%zu", total_mapped());

	sample_all();
	stop_threads = 1;
	pthread_join(sampler, NULL);
	if (kprobe)
		pthread_join(tracer, NULL);
	if (kprobe)
		dump_trace_stats(sample_ncpus);
	dump("zoneinfo_end", "/proc/zoneinfo");
	dump("vmstat_end", "/proc/vmstat");
	dump("pagetypeinfo_end", "/proc/pagetypeinfo");
	dump_dmesg();
	emit("X %.3f done", now_ms());
	fsync(out_fd);
	return 0;
}
