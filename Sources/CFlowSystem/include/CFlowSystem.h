#ifndef CFLOWSYSTEM_H
#define CFLOWSYSTEM_H

#include <sys/types.h>

/// pidfd_open(2): a file descriptor that becomes readable when `pid` exits (without reaping
/// it). Returns -1 with errno set (ENOSYS before Linux 5.3). Swift cannot call the variadic
/// syscall(2) itself, hence this shim.
int flow_pidfd_open(pid_t pid);

/// 1 when `path` is on a tmpfs, 0 when not, -1 with errno set when statfs(2) fails
/// (<sys/vfs.h> is not in Swift's Glibc module).
int flow_is_tmpfs(const char *path);

/// The terminal's size on `fd` (TIOCGWINSZ; ioctl(2) is variadic, which Swift cannot call).
/// Returns 0 and sets `columns` and `rows`, or -1 when `fd` is not a terminal.
int flow_terminal_size(int fd, int *columns, int *rows);

#endif
