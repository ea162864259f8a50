/* The figures of BENCHMARKS.md for one token: peak heap (counted in the allocator callbacks),
 * peak stack (painted, then scanned) and instructions (SysTick under qemu -icount shift=0,
 * calibrated against a loop of known length). Prints "# name value" lines. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"

#define SYST_CSR (*(volatile uint32_t *)0xE000E010u)
#define SYST_RVR (*(volatile uint32_t *)0xE000E014u)
#define SYST_CVR (*(volatile uint32_t *)0xE000E018u)
#define SYST_RELOAD 0xFFFFFFu

/* Bytes below main's frame painted before a token build. */
#define STACK_PAINT 32768u
#define PAINT 0xA5A5A5A5u

static size_t heap_now, heap_peak;
static volatile uint32_t systick_wraps;

void SysTick_Handler(void) { systick_wraps++; }

/* Counts the bytes taap holds; malloc's own overhead is not counted. */
static void *counting_alloc(void *context, size_t size, size_t align)
{
    (void)context;
    (void)align;
    void *block = malloc(size);
    if (block != NULL) {
        heap_now += size;
        if (heap_now > heap_peak)
            heap_peak = heap_now;
    }
    return block;
}

static void counting_free(void *context, void *ptr, size_t size, size_t align)
{
    (void)context;
    (void)align;
    heap_now -= size;
    free(ptr);
}

static uint64_t ticks(void)
{
    uint32_t wraps, value;
    do {
        wraps = systick_wraps;
        value = SYST_CVR;
    } while (wraps != systick_wraps);
    return (uint64_t)wraps * (SYST_RELOAD + 1) + (SYST_RELOAD - value);
}

static void start_systick(void)
{
    SYST_RVR = SYST_RELOAD;
    SYST_CVR = 0;
    SYST_CSR = 7; /* processor clock, interrupt, enabled */
    /* The counter loads the reload value on its first tick; reading 0 before that is no wrap. */
    while (SYST_CVR == 0) {
    }
}

/* 2 instructions per iteration: the calibration of ticks against instructions. */
static uint64_t ticks_of_loop(uint32_t iterations)
{
    uint64_t before = ticks();
    __asm volatile("1: subs %0, %0, #1\n\tbne 1b" : "+r"(iterations)::"cc");
    return ticks() - before;
}

static uint8_t *stack_pointer(void)
{
    uint8_t *sp;
    __asm volatile("mov %0, sp" : "=r"(sp));
    return sp;
}

/* Paints [top - STACK_PAINT, top - 256): this function's own frame lies above that range. */
__attribute__((noinline)) static void paint_stack(uint8_t *top)
{
    for (uint32_t *word = (uint32_t *)(top - STACK_PAINT); word < (uint32_t *)(top - 256); word++)
        *word = PAINT;
}

static size_t stack_used(uint8_t *top)
{
    uint32_t *word = (uint32_t *)(top - STACK_PAINT);
    while (word < (uint32_t *)top && *word == PAINT)
        word++;
    return (size_t)(top - (uint8_t *)word);
}

static const struct vector_case *find(const char *name)
{
    for (size_t i = 0; i < vector_case_count; i++)
        if (strcmp(vector_cases[i].name, name) == 0)
            return &vector_cases[i];
    return NULL;
}

/* One key load and one token build of `name`, each measured. */
static int measure(const char *name, double instructions_per_tick)
{
    const struct vector_case *c = find(name);
    taap_private_key *key = NULL;
    char *token = NULL;
    uint8_t *top = stack_pointer();
    if (c == NULL)
        return 1;

    heap_now = heap_peak = 0;
    paint_stack(top);
    uint64_t before = ticks();
    taap_status status = load_key(c, &key);
    uint64_t load_ticks = ticks() - before;
    size_t load_stack = stack_used(top), load_heap_peak = heap_peak, key_heap = heap_now;
    if (status != TAAP_OK)
        return 1;

    heap_peak = heap_now;
    paint_stack(top);
    before = ticks();
    status = build_token(c, key, &token);
    uint64_t build_ticks = ticks() - before;
    size_t build_stack = stack_used(top), build_heap_peak = heap_peak - key_heap;
    if (status != TAAP_OK)
        return 1;
    taap_string_free(token);
    taap_private_key_free(key);

    printf("# %s key-load-heap-peak %u\n", name, (unsigned)load_heap_peak);
    printf("# %s key-held-heap %u\n", name, (unsigned)key_heap);
    printf("# %s key-load-stack-peak %u\n", name, (unsigned)load_stack);
    printf("# %s key-load-instructions %.0f\n", name, (double)load_ticks * instructions_per_tick);
    printf("# %s build-heap-peak-above-key %u\n", name, (unsigned)build_heap_peak);
    printf("# %s build-total-heap-peak %u\n", name, (unsigned)(key_heap + build_heap_peak));
    printf("# %s build-stack-peak %u\n", name, (unsigned)build_stack);
    printf("# %s build-instructions %.0f\n", name, (double)build_ticks * instructions_per_tick);
    printf("# %s heap-after-free %u\n", name, (unsigned)heap_now);
    return 0;
}

/* The same token through a callback signer (common.h's secure element): the signer held, and
 * one build's peaks. */
static int measure_signer(const char *name, double instructions_per_tick)
{
    const struct vector_case *c = find(name);
    taap_signer *signer = NULL;
    char *token = NULL;
    uint8_t *top = stack_pointer();
    if (c == NULL)
        return 1;

    heap_now = heap_peak = 0;
    if (make_signer(c, secure_element_sign, (void *)c, &signer) != TAAP_OK)
        return 1;
    size_t signer_heap = heap_now;
    heap_peak = heap_now;
    paint_stack(top);
    uint64_t before = ticks();
    taap_status status = build_token_with_signer(c, signer, &token);
    uint64_t build_ticks = ticks() - before;
    size_t build_stack = stack_used(top), build_heap_peak = heap_peak - signer_heap;
    if (status != TAAP_OK)
        return 1;
    taap_string_free(token);
    taap_signer_free(signer);

    printf("# %s signer-held-heap %u\n", name, (unsigned)signer_heap);
    printf("# %s signer-build-heap-peak-above-signer %u\n", name, (unsigned)build_heap_peak);
    printf("# %s signer-build-stack-peak %u\n", name, (unsigned)build_stack);
    printf("# %s signer-build-instructions %.0f\n", name, (double)build_ticks * instructions_per_tick);
    printf("# %s signer-heap-after-free %u\n", name, (unsigned)heap_now);
    return 0;
}

int main(void)
{
    if (taap_set_allocator(counting_alloc, counting_free, NULL) != TAAP_OK)
        return 1;
    start_systick();
    const uint32_t iterations = 20000000;
    uint64_t calibration = ticks_of_loop(iterations);
    double instructions_per_tick = 2.0 * iterations / (double)calibration;
    printf("# calibration instructions-per-systick-tick %.3f\n", instructions_per_tick);
    int failed = measure("docs-orders-post", instructions_per_tick);
    failed |= measure("key-openssl-4096", instructions_per_tick);
    failed |= measure_signer("docs-orders-post", instructions_per_tick);
    failed |= measure_signer("key-openssl-4096", instructions_per_tick);
    printf("done\n");
    return failed;
}
