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
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <sys/mman.h>
#include <sched.h>

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

// The children flow_spawn_child started and nobody reaped yet (see flow_child_is_ours), and
// how many spawns are under way: a child can be seen in /proc before its spawn has recorded it.
static pthread_mutex_t children_lock = PTHREAD_MUTEX_INITIALIZER;
static pid_t *children = NULL;
static size_t children_count = 0, children_capacity = 0;
static int spawns_under_way = 0;

static void children_add_locked(pid_t pid) {
    if (children_count == children_capacity) {
        size_t capacity = children_capacity ? children_capacity * 2 : 64;
        pid_t *grown = realloc(children, capacity * sizeof(pid_t));
        if (grown == NULL) return; // not recorded: a sweep would take it for an orphan; memory is gone anyway
        children = grown;
        children_capacity = capacity;
    }
    children[children_count++] = pid;
}

int flow_child_is_ours(pid_t pid) {
    pthread_mutex_lock(&children_lock);
    // While a spawn is under way, any unrecorded child may be the one it is about to record.
    int found = spawns_under_way > 0;
    for (size_t i = 0; i < children_count && !found; i++) found = children[i] == pid;
    pthread_mutex_unlock(&children_lock);
    return found;
}

void flow_child_reaped(pid_t pid) {
    pthread_mutex_lock(&children_lock);
    for (size_t i = 0; i < children_count; i++) {
        if (children[i] == pid) {
            children[i] = children[--children_count];
            break;
        }
    }
    pthread_mutex_unlock(&children_lock);
}

int flow_become_subreaper(void) {
    return prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
}

static int spawn_with_posix_spawn(pid_t *pid, const char *path, char *const argv[], char *const envp[],
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

// In the child of spawn_as_subreaper: `fd` (or /dev/null when -1) as `target`. Only system calls.
static int child_redirect(int fd, int target) {
    if (fd < 0) {
        int null = open("/dev/null", target == 0 ? O_RDONLY : O_WRONLY);
        if (null < 0) return -1;
        if (null == target) return 0;
        int moved = dup2(null, target);
        close(null);
        return moved < 0 ? -1 : 0;
    }
    return dup2(fd, target) < 0 ? -1 : 0;
}

// What the child of spawn_as_subreaper needs; it shares our memory until it execs.
struct subreaper_child {
    const char *path;
    char *const *argv;
    char *const *envp;
    const char *directory;
    int input, output, error_output, new_session;
    volatile int failure; // set by the child when it cannot exec
};

// The child: only system calls, on a stack of its own.
static int subreaper_child_main(void *argument) {
    struct subreaper_child *child = argument;
    struct sigaction defaults;
    memset(&defaults, 0, sizeof defaults);
    defaults.sa_handler = SIG_DFL;
    sigemptyset(&defaults.sa_mask);
    for (int number = 1; number < NSIG; number++) sigaction(number, &defaults, NULL); // SIGKILL, SIGSTOP and glibc's own refuse: fine
    if ((child->new_session ? setsid() : setpgid(0, 0)) < 0) goto fail;
    if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0) goto fail;
    if (child_redirect(child->input, 0) != 0 || child_redirect(child->output, 1) != 0 ||
        child_redirect(child->error_output, 2) != 0) goto fail;
    if (child->directory != NULL && chdir(child->directory) != 0) goto fail;
    if (syscall(SYS_close_range, 3, ~0U, 0) != 0) {
        for (int fd = 3; fd < 65536; fd++) close(fd);
    }
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    execve(child->path, child->argv, child->envp);
fail:
    child->failure = errno ? errno : EINVAL;
    _exit(127);
}

// What posix_spawn does for the other path, done by hand because posix_spawn has no way to
// call prctl(2) in the child, and done as glibc's posix_spawn does it: clone with CLONE_VM |
// CLONE_VFORK (no copy of our memory; we wait until the child has exec'd or failed) onto a
// stack of the child's own (so it cannot scribble over our frames, as a bare vfork could),
// with every signal blocked in this thread meanwhile so no handler of ours runs in the child.
// In the child: every signal to its default, the new session or group, the subreaper bit
// (which execve keeps), the descriptors, the directory, closing everything from 3 up, the
// empty mask, execve.
static int spawn_as_subreaper(pid_t *pid, const char *path, char *const argv[], char *const envp[],
                              const char *directory, int input, int output, int error_output, int new_session) {
    const size_t stack_size = 64 * 1024;
    void *stack = mmap(NULL, stack_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
    if (stack == MAP_FAILED) return errno;
    struct subreaper_child child = {path, argv, envp, directory, input, output, error_output, new_session, 0};
    sigset_t all, previous;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &previous);
    pid_t started = clone(subreaper_child_main, (char *)stack + stack_size, CLONE_VM | CLONE_VFORK | SIGCHLD, &child);
    int saved = errno;
    pthread_sigmask(SIG_SETMASK, &previous, NULL);
    munmap(stack, stack_size);
    if (started < 0) return saved;
    if (child.failure != 0) {
        int status;
        while (waitpid(started, &status, 0) < 0 && errno == EINTR) {}
        return child.failure;
    }
    *pid = started;
    return 0;
}

int flow_spawn_child(pid_t *pid, const char *path, char *const argv[], char *const envp[],
                     const char *directory, int input, int output, int error_output, int new_session, int subreaper) {
    // Counted as under way from before the child exists until it is recorded, so a sweep that
    // sees it in between (flow_child_is_ours) never takes it for an orphan; spawns on several
    // threads still run side by side.
    pthread_mutex_lock(&children_lock);
    spawns_under_way++;
    pthread_mutex_unlock(&children_lock);
    int error = subreaper
        ? spawn_as_subreaper(pid, path, argv, envp, directory, input, output, error_output, new_session)
        : spawn_with_posix_spawn(pid, path, argv, envp, directory, input, output, error_output, new_session);
    pthread_mutex_lock(&children_lock);
    if (error == 0) children_add_locked(*pid);
    spawns_under_way--;
    pthread_mutex_unlock(&children_lock);
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
