/* Minimal Cortex-M4F startup and semihosting for QEMU (no C library startup). */
#include <stdint.h>

#include "semihost.h"

int main(void);

extern uint32_t _sidata, _sdata, _edata, _sbss, _ebss, _estack;

int semihost_call(int op, const void *arg) {
    register int r0 __asm__("r0") = op;
    register const void *r1 __asm__("r1") = arg;
    __asm__ volatile("bkpt 0xAB" : "+r"(r0) : "r"(r1) : "memory");
    return r0;
}

void semihost_print(const char *s) { semihost_call(0x04 /* SYS_WRITE0 */, s); }

void semihost_exit(int ok) {
    /* SYS_EXIT: ADP_Stopped_ApplicationExit gives QEMU exit status 0,
     * ADP_Stopped_RunTimeErrorUnknown gives 1. */
    semihost_call(0x18, (const void *)(uintptr_t)(ok ? 0x20026 : 0x20023));
    for (;;) {
    }
}

void reset_handler(void) {
    /* Full access to CP10/CP11: the FPU (the library uses hard float). */
    *(volatile uint32_t *)0xE000ED88 |= 0xFu << 20;
    __asm__ volatile("dsb\n\tisb" ::: "memory");
    for (uint32_t *src = &_sidata, *dst = &_sdata; dst < &_edata;) *dst++ = *src++;
    for (uint32_t *dst = &_sbss; dst < &_ebss;) *dst++ = 0;
    semihost_exit(main() == 0);
}

static void fault_handler(void) {
    semihost_print("FAIL: CPU fault\n");
    semihost_exit(0);
}

/* Called by the Rust panic handler of libwtas_c.a. */
void wtas_c_panic(void) {
    semihost_print("FAIL: Rust panic\n");
    semihost_exit(0);
}

__attribute__((section(".vectors"), used)) static void (*const vectors[16])(void) = {
    (void (*)(void))(uintptr_t)&_estack,
    reset_handler,
    fault_handler, /* NMI */
    fault_handler, /* HardFault */
    fault_handler, /* MemManage */
    fault_handler, /* BusFault */
    fault_handler, /* UsageFault */
};
