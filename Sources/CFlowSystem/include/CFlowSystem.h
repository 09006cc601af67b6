#ifndef CFLOWSYSTEM_H
#define CFLOWSYSTEM_H

#include <stdint.h>
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

/// posix_spawn(3) of `path` as the leader of a new session (`new_session` 1, so of a new
/// process group too) or of a new process group only (0), with every signal at its default
/// disposition and none blocked, stdin, stdout and stderr from `input`, `output` and
/// `error_output` (each 3 or above, or -1 for /dev/null), the working directory `directory`
/// (NULL: ours) and every other descriptor closed, so nothing another thread opened meanwhile
/// leaks into the child. `argv` and `envp` end with NULL. Returns 0, or the error number
/// (exec failures included: glibc waits for the exec). The attribute and file-action calls
/// are macros and flag constants Swift cannot import well.
///
/// `subreaper` 1 also makes the child a child subreaper (prctl PR_SET_CHILD_SUBREAPER, which
/// execve keeps): whatever it starts and orphans is re-parented to it, not to init, so a
/// step's processes stay in its tree however they detach (setsid, double fork, a cleared
/// environment). posix_spawn cannot do that, so that path is a clone of our own doing the same.
///
/// The child is recorded as ours until flow_child_reaped (see flow_child_is_ours).
int flow_spawn_child(pid_t *pid, const char *path, char *const argv[], char *const envp[],
                     const char *directory, int input, int output, int error_output, int new_session, int subreaper);

/// 1 when `pid` was started by flow_spawn_child and not yet reported reaped (or may be: a
/// spawn is under way and has not recorded its child yet), else 0. A child of ours that is
/// not is an orphan some step left, re-parented to us (flow_become_subreaper).
int flow_child_is_ours(pid_t pid);

/// Forgets `pid` (call right after reaping it with waitpid).
void flow_child_reaped(pid_t pid);

/// Makes this process a child subreaper: orphans of its descendants come to it, not to init.
/// Returns 0, or -1 with errno set.
int flow_become_subreaper(void);

/// A non-blocking, close-on-exec CLOCK_MONOTONIC timerfd(2), or -1 with errno set.
int flow_timer_create(void);

/// Arms the timer once, `nanoseconds` from now (at least 1). Returns 0, or -1 with errno set.
int flow_timer_arm(int fd, long long nanoseconds);

/// epoll(7), which Swift's Glibc module does not include: a close-on-exec instance,
/// edge-triggered readability (and peer hang-up) of `fd` reported as `token`, removal, and a
/// wait of unlimited length that fills `tokens` (at most 64) and returns their count, or -1
/// with errno set.
int flow_epoll_create(void);
int flow_epoll_add(int epoll, int fd, uint64_t token);
int flow_epoll_remove(int epoll, int fd);
int flow_epoll_wait(int epoll, uint64_t *tokens, int capacity);

/// A close-on-exec pipe, `ends[0]` to read and `ends[1]` to write, both 3 or above (pipe2(2)
/// is a GNU extension Swift cannot see). Returns 0, or -1 with errno set.
int flow_pipe(int ends[2]);

/// flow_pipe for a child's output: the read end non-blocking, the write end for
/// flow_spawn_child.
int flow_output_pipe(int ends[2]);

#endif
