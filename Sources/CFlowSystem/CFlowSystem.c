#define _GNU_SOURCE
#include "CFlowSystem.h"

#include <errno.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <sys/ioctl.h>
#include <linux/magic.h>
#include <unistd.h>

int flow_pidfd_open(pid_t pid) {
#ifdef SYS_pidfd_open
    return (int)syscall(SYS_pidfd_open, pid, 0);
#else
    errno = ENOSYS;
    return -1;
#endif
}

int flow_is_tmpfs(const char *path) {
    struct statfs info;
    if (statfs(path, &info) != 0) return -1;
    return info.f_type == TMPFS_MAGIC ? 1 : 0;
}

int flow_terminal_size(int fd, int *columns, int *rows) {
    struct winsize size;
    if (ioctl(fd, TIOCGWINSZ, &size) != 0 || size.ws_col == 0) return -1;
    *columns = size.ws_col;
    *rows = size.ws_row;
    return 0;
}
