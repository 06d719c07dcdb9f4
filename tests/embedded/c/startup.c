/* Vector table and reset handler for the C baselines (Cortex-M4F on QEMU
 * mps2-an386, Cortex-M0 on QEMU microbit). Copies .data, zeroes .bss,
 * turns the FPU on where there is one, and calls main. */
#include <stdint.h>

extern uint32_t _sidata, _sdata, _edata, _sbss, _ebss, _estack;
int main(void);
void systick_handler(void);

void reset_handler(void)
{
    uint32_t *src = &_sidata, *dst = &_sdata;
    while (dst < &_edata) *dst++ = *src++;
    for (dst = &_sbss; dst < &_ebss; dst++) *dst = 0;
#if defined(__ARM_FP)
    /* CPACR: full access to CP10 and CP11 (the FPU). */
    *(volatile uint32_t *)0xE000ED88 |= 0xFu << 20;
    __asm__ volatile("dsb\n\tisb" ::: "memory");
#endif
    main();
    for (;;) {}
}

static void default_handler(void)
{
    for (;;) {}
}

__attribute__((section(".vectors"), used))
static void (*const vectors[16])(void) = {
    (void (*)(void))&_estack,
    reset_handler,
    default_handler, /* NMI */
    default_handler, /* HardFault */
    default_handler, default_handler, default_handler, 0, 0, 0, 0,
    default_handler, /* SVCall */
    default_handler, 0,
    default_handler, /* PendSV */
    systick_handler,
};
