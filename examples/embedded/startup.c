/* Cortex-M4F start-up for QEMU's mps2-an386: the vector table, the FPU switched on before any
 * hard-float code runs, .data copied to RAM, then newlib's _start (which calls main). A fault
 * prints "HARDFAULT" over semihosting and stops QEMU with a failure status. */
#include <stdint.h>

extern void _start(void);
extern uint32_t __stack;
extern uint32_t __data_load__, __data_start__, __data_end__;

void Reset_Handler(void);
void Fault_Handler(void);
void SysTick_Handler(void);

/* SysTick wraps counted by measure.c; a weak default for pop.elf. */
__attribute__((weak)) void SysTick_Handler(void) {}

/* Coprocessor Access Control Register: CP10 and CP11 (the FPU), full access. */
#define CPACR (*(volatile uint32_t *)0xE000ED88u)

__attribute__((section(".vectors"), used)) static void (*const vector_table[16])(void) = {
    (void (*)(void))&__stack, /* initial stack pointer */
    Reset_Handler,
    Fault_Handler, /* NMI */
    Fault_Handler, /* HardFault */
    Fault_Handler, /* MemManage */
    Fault_Handler, /* BusFault */
    Fault_Handler, /* UsageFault */
    0, 0, 0, 0,
    Fault_Handler, /* SVCall */
    Fault_Handler, /* DebugMonitor */
    0,
    Fault_Handler, /* PendSV */
    SysTick_Handler,
};

void Reset_Handler(void)
{
    CPACR |= 0xFu << 20;
    __asm volatile("dsb\n\tisb" ::: "memory");
    for (uint32_t *from = &__data_load__, *to = &__data_start__; to < &__data_end__;)
        *to++ = *from++;
    _start();
    for (;;) {
    }
}

/* One semihosting call (ARM's "bkpt 0xab" convention). */
static uint32_t semihost(uint32_t operation, const void *argument)
{
    register uint32_t r0 __asm("r0") = operation;
    register const void *r1 __asm("r1") = argument;
    __asm volatile("bkpt 0xab" : "+r"(r0) : "r"(r1) : "memory");
    return r0;
}

void Fault_Handler(void)
{
    static const uint32_t exit_block[2] = {0x20023u /* ADP_Stopped_RunTimeErrorUnknown */, 1};
    semihost(0x04 /* SYS_WRITE0 */, "HARDFAULT\n");
    semihost(0x20 /* SYS_EXIT_EXTENDED */, exit_block);
    for (;;) {
    }
}
