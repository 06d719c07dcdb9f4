#ifndef WTAS_FW_SEMIHOST_H
#define WTAS_FW_SEMIHOST_H
int semihost_call(int op, const void *arg);
void semihost_print(const char *s);
/* Ends the QEMU run: exit status 0 if ok, 1 otherwise. */
void semihost_exit(int ok) __attribute__((noreturn));
void wtas_c_panic(void) __attribute__((noreturn));
#endif
