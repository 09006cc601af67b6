#define _GNU_SOURCE
#include "CFlowSystem.h"

#include <errno.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <sys/ioctl.h>
#include <linux/magic.h>
#include <unistd.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/timerfd.h>
#include <sys/epoll.h>
#include <time.h>

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

static int redirect(posix_spawn_file_actions_t *actions, int fd, int target) {
    if (fd < 0) return posix_spawn_file_actions_addopen(actions, target, "/dev/null", target == 0 ? O_RDONLY : O_WRONLY, 0);
    return posix_spawn_file_actions_adddup2(actions, fd, target);
}

int flow_spawn_child(pid_t *pid, const char *path, char *const argv[], char *const envp[],
                     const char *directory, int input, int output, int error_output, int new_session) {
    posix_spawnattr_t attributes;
    posix_spawn_file_actions_t actions;
    int error = posix_spawnattr_init(&attributes);
    if (error != 0) return error;
    error = posix_spawn_file_actions_init(&actions);
    if (error != 0) {
        posix_spawnattr_destroy(&attributes);
        return error;
    }
    sigset_t none, all;
    sigemptyset(&none);
    sigfillset(&all);
    short flags = (new_session ? POSIX_SPAWN_SETSID : POSIX_SPAWN_SETPGROUP) | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF;
    if (error == 0) error = posix_spawnattr_setflags(&attributes, flags);
    if (error == 0 && !new_session) error = posix_spawnattr_setpgroup(&attributes, 0);
    if (error == 0) error = posix_spawnattr_setsigmask(&attributes, &none);
    if (error == 0) error = posix_spawnattr_setsigdefault(&attributes, &all);
    if (error == 0) error = redirect(&actions, input, 0);
    if (error == 0) error = redirect(&actions, output, 1);
    if (error == 0) error = redirect(&actions, error_output, 2);
    if (error == 0 && directory != NULL) error = posix_spawn_file_actions_addchdir_np(&actions, directory);
    if (error == 0) error = posix_spawn_file_actions_addclosefrom_np(&actions, 3);
    if (error == 0) error = posix_spawn(pid, path, &actions, &attributes, argv, envp);
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attributes);
    return error;
}

int flow_timer_create(void) {
    return timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
}

int flow_timer_arm(int fd, long long nanoseconds) {
    struct itimerspec spec = {0};
    if (nanoseconds < 1) nanoseconds = 1; // 0 would disarm it
    spec.it_value.tv_sec = (time_t)(nanoseconds / 1000000000LL);
    spec.it_value.tv_nsec = (long)(nanoseconds % 1000000000LL);
    return timerfd_settime(fd, 0, &spec, NULL);
}

int flow_epoll_create(void) {
    return epoll_create1(EPOLL_CLOEXEC);
}

int flow_epoll_add(int epoll, int fd, uint64_t token) {
    struct epoll_event event = {0};
    event.events = EPOLLIN | EPOLLRDHUP | EPOLLET;
    event.data.u64 = token;
    return epoll_ctl(epoll, EPOLL_CTL_ADD, fd, &event);
}

int flow_epoll_remove(int epoll, int fd) {
    struct epoll_event event = {0};
    return epoll_ctl(epoll, EPOLL_CTL_DEL, fd, &event);
}

int flow_epoll_wait(int epoll, uint64_t *tokens, int capacity) {
    struct epoll_event events[64];
    if (capacity > 64) capacity = 64;
    int count = epoll_wait(epoll, events, capacity, -1);
    for (int i = 0; i < count; i++) tokens[i] = events[i].data.u64;
    return count;
}

static int above_standard(int fd) {
    if (fd > 2) return fd;
    int moved = fcntl(fd, F_DUPFD_CLOEXEC, 3);
    int saved = errno;
    close(fd);
    errno = saved;
    return moved;
}

int flow_pipe(int ends[2]) {
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) return -1;
    int read_end = above_standard(fds[0]);
    int write_end = above_standard(fds[1]);
    if (read_end < 0 || write_end < 0) {
        int saved = errno;
        if (read_end >= 0) close(read_end);
        if (write_end >= 0) close(write_end);
        errno = saved;
        return -1;
    }
    ends[0] = read_end;
    ends[1] = write_end;
    return 0;
}

int flow_output_pipe(int ends[2]) {
    int fds[2];
    if (flow_pipe(fds) != 0) return -1;
    int read_end = fds[0];
    int write_end = fds[1];
    if (fcntl(read_end, F_SETFL, O_NONBLOCK) != 0) {
        int saved = errno;
        close(read_end);
        close(write_end);
        errno = saved;
        return -1;
    }
    ends[0] = read_end;
    ends[1] = write_end;
    return 0;
}
