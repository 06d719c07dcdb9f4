/* The C baselines' harness: the scenario of tests/scenario/firmware.rs
 * ported line by line (xorshift32 input, resets every 300 steps, FNV-1a
 * digest of the six buffers), the thresholds seeded as wtas seeds them
 * (SplitMix64 into xoshiro128++), and the measurements of
 * tests/embedded/src/sys.rs and main.rs: SysTick ticks inside the step
 * calls, the calibration loop, the painted-stack high-water mark.
 *
 * Output lines, by semihosting (all start with "c "):
 *   c cal <ticks> <instructions>
 *   c digest <hex>
 *   c ticks-total <n>
 *   c ticks-step <n>      (inside the 2,000 wta_step calls only)
 *   c stack-step <bytes>  (high-water mark of one call)
 */
#include <stdint.h>

#include "step.h"

/* ---------------------------------------------------------------- board */

static void semihost(uint32_t op, const void *arg)
{
    register uint32_t r0 __asm__("r0") = op;
    register const void *r1 __asm__("r1") = arg;
    __asm__ volatile("bkpt 0xab" : "+r"(r0) : "r"(r1) : "memory");
}

static void write0(const char *s) { semihost(0x04, s); }

static void exit_with(uint32_t reason)
{
    semihost(0x18, (const void *)reason);
    for (;;) {}
}

#define SYST_CSR (*(volatile uint32_t *)0xE000E010)
#define SYST_RVR (*(volatile uint32_t *)0xE000E014)
#define SYST_CVR (*(volatile uint32_t *)0xE000E018)
#define RELOAD 0x00FFFFFFu

static volatile uint32_t wraps;

void systick_handler(void) { wraps = wraps + 1; }

/* SysTick on the processor clock, interrupting on every wrap. */
static void clock_init(void)
{
    SYST_RVR = RELOAD;
    SYST_CVR = 0;
    SYST_CSR = 7;
    for (uint32_t spins = 0; SYST_CVR == 0 && spins < 1000000; spins++) {}
}

/* Ticks since clock_init (one per instruction under -icount shift=0). */
static uint64_t now(void)
{
    for (;;) {
        uint32_t w = wraps;
        uint32_t c = SYST_CVR & RELOAD;
        if (wraps == w) return ((uint64_t)w << 24) + (RELOAD - c);
    }
}

#define CAL_LOOPS 1000000u

/* Ticks of 2 * CAL_LOOPS instructions (subs + bne). */
__attribute__((noinline)) static uint64_t calibrate(void)
{
    uint64_t t0 = now();
    uint32_t n = CAL_LOOPS;
    __asm__ volatile("1:\n\tsubs %0, #1\n\tbne 1b" : "+l"(n) : : "cc");
    return now() - t0;
}

static uintptr_t stack_pointer(void)
{
    uintptr_t sp;
    __asm__ volatile("mov %0, sp" : "=r"(sp));
    return sp;
}

/* One output line, without printf. */
struct line { char buf[96]; unsigned len; };

static void put(struct line *l, char ch)
{
    if (l->len + 1 < sizeof l->buf) l->buf[l->len++] = ch;
}
static void puts_(struct line *l, const char *s) { while (*s) put(l, *s++); }
static void putu(struct line *l, uint64_t x)
{
    char d[20];
    int n = 0;
    do { d[n++] = (char)('0' + x % 10); x /= 10; } while (x && n < 20);
    while (n) put(l, d[--n]);
}
static void puthex(struct line *l, uint64_t x)
{
    for (int i = 15; i >= 0; i--) put(l, "0123456789abcdef"[(x >> (4 * i)) & 0xf]);
}
static void print(struct line *l)
{
    put(l, '\n');
    l->buf[l->len] = 0;
    write0(l->buf);
}

/* ---------------------------------------------------------------- scenario */

#define STEPS 2000u
#define RESET_EVERY 300u
#define SEED 0x5eedf00dull
#define INPUT_SEED 0x9e3779b9u
#define DT 1.0f

static struct wta cell;

/* xoshiro128++ seeded through SplitMix64 (two outputs, little-endian words),
 * as wtas's Cell::new. */
static uint64_t splitmix_x;
static uint64_t splitmix_next(void)
{
    splitmix_x += 0x9e3779b97f4a7c15ull;
    uint64_t z = splitmix_x;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}
static uint32_t rotl(uint32_t x, int k) { return (x << k) | (x >> (32 - k)); }
static uint32_t xo[4];
static uint32_t xoshiro_next(void)
{
    uint32_t out = rotl(xo[0] + xo[3], 7) + xo[0];
    uint32_t t = xo[1] << 9;
    xo[2] ^= xo[0];
    xo[3] ^= xo[1];
    xo[1] ^= xo[2];
    xo[0] ^= xo[3];
    xo[2] ^= t;
    xo[3] = rotl(xo[3], 11);
    return out;
}

static void reset(int zero_j)
{
    for (int i = 0; i < WTA_N; i++) {
        if (zero_j) cell.j[i] = 0.0f;
        cell.v[i] = 0.0f;
        cell.s[i] = 0.0f;
        cell.tols[i] = 0.0f;
        cell.rfr[i] = cell.p.refract_time;
    }
}

/* Parameters: Config::new(64) (tau_m 10) with refract_time 3 and thr_gain 0.01;
 * thresholds thr_base + thr_jitter * (2u - 1), u = (next >> 8) / 2^24. */
static void init(void)
{
    cell.p.resist_m = 1.0f;
    cell.p.refract_time = 3.0f;
    cell.p.thr_gain = 0.01f;
    const float thr_base = 0.4f, thr_jitter = 0.05f;
    splitmix_x = SEED;
    uint64_t a = splitmix_next(), b = splitmix_next();
    if ((a | b) == 0) { splitmix_x = 0; a = splitmix_next(); b = splitmix_next(); }
    xo[0] = (uint32_t)a; xo[1] = (uint32_t)(a >> 32);
    xo[2] = (uint32_t)b; xo[3] = (uint32_t)(b >> 32);
    for (int i = 0; i < WTA_N; i++) {
        float u = (float)(xoshiro_next() >> 8) * (1.0f / 16777216.0f);
        cell.thr[i] = thr_base + thr_jitter * (2.0f * u - 1.0f);
    }
    reset(0);
}

static uint32_t input_state = INPUT_SEED;
static uint32_t xorshift32(void)
{
    uint32_t x = input_state;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return input_state = x;
}

static float from_bits(uint32_t u)
{
    union { uint32_t u; float f; } x = { .u = u };
    return x.f;
}

/* Input::fill: uniform noise, two drifting winners, rare NaN, +inf, -inf
 * and large values. */
static void fill(uint32_t step, float *j)
{
    unsigned w1 = ((step / 37) * 5 + 3) % WTA_N;
    unsigned w2 = ((step / 53) * 11 + 40) % WTA_N;
    int second_on = (step / 91) % 2 == 1;
    for (unsigned i = 0; i < WTA_N; i++) {
        uint32_t r = xorshift32();
        float noise = (float)(r & 0xFFFFFu) * (1.0f / 1048576.0f) - 0.5f;
        switch (r >> 20) {
        case 0: j[i] = from_bits(0x7fc00000u); break;
        case 1: j[i] = from_bits(0x7f800000u); break;
        case 2: j[i] = from_bits(0xff800000u); break;
        case 3: case 4: j[i] = 90.0f + noise; break;
        default:
            if (i == w1) j[i] = 3.0f + noise;
            else if (i == w2 && second_on) j[i] = 2.5f + noise;
            else j[i] = noise;
        }
    }
}

/* 64-bit FNV-1a, one 32-bit word at a time. */
static uint64_t digest = 0xcbf29ce484222325ull;
static void word(uint32_t w)
{
    digest ^= w;
    digest *= 0x00000100000001b3ull;
}
static void floats(const float *x)
{
    for (int i = 0; i < WTA_N; i++) {
        union { float f; uint32_t u; } b = { .f = x[i] };
        word(b.u);
    }
}
static void fold(void)
{
    floats(cell.j); floats(cell.v); floats(cell.s);
    floats(cell.thr); floats(cell.rfr); floats(cell.tols);
}

/* ---------------------------------------------------------------- timing */

static uint64_t step_ticks;

__attribute__((noinline)) static void timed_step(float t)
{
    uint64_t t0 = now();
    wta_step(&cell, t, DT);
    step_ticks += now() - t0;
}

#define PAINT_BYTES 4096u
#define GAP 64u
#define PAINT 0x5A5AA5A5u

__attribute__((noinline)) static void one_step(void) { timed_step(1.0e4f); }

__attribute__((noinline)) static void paint(uintptr_t lo, uintptr_t hi)
{
    for (uintptr_t p = lo; p < hi; p += 4) *(volatile uint32_t *)p = PAINT;
}

__attribute__((noinline)) static uintptr_t lowest_touched(uintptr_t lo, uintptr_t hi)
{
    for (uintptr_t p = lo; p < hi; p += 4)
        if (*(volatile uint32_t *)p != PAINT) return p;
    return hi;
}

/* Stack high-water mark of one step call, as tests/embedded/src/main.rs
 * measures it: paint below this frame, call, find the lowest word changed. */
__attribute__((noinline)) static uintptr_t stack_probe(void)
{
    uintptr_t sp = stack_pointer() & ~(uintptr_t)3;
    uintptr_t lo = sp - GAP - PAINT_BYTES, hi = sp - GAP;
    paint(lo, hi);
    one_step();
    return sp - lowest_touched(lo, hi);
}

int main(void)
{
    struct line l;
    clock_init();
    uint64_t cal = calibrate();
    l.len = 0; puts_(&l, "c cal "); putu(&l, cal); puts_(&l, " "); putu(&l, 2ull * CAL_LOOPS); print(&l);

    init();
    uint64_t t0 = now();
    for (uint32_t step = 0; step < STEPS; step++) {
        if (step > 0 && step % RESET_EVERY == 0) {
            reset((step / RESET_EVERY) % 2 == 0);
            fold();
        }
        fill(step, cell.j);
        timed_step((float)step * DT);
        word(1); /* the step's "ok" */
        fold();
    }
    uint64_t total = now() - t0;
    l.len = 0; puts_(&l, "c digest "); puthex(&l, digest); print(&l);
    l.len = 0; puts_(&l, "c ticks-total "); putu(&l, total); print(&l);
    l.len = 0; puts_(&l, "c ticks-step "); putu(&l, step_ticks); print(&l);
    uintptr_t used = stack_probe();
    l.len = 0; puts_(&l, "c stack-step "); putu(&l, used); print(&l);
    exit_with(0x20026); /* ADP_Stopped_ApplicationExit */
    return 0;
}
