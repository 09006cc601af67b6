import CFlowSystem
import FlowSystem
import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// What woke a ``ChildWatch``.
struct ChildEvents: OptionSet, Sendable {
    let rawValue: UInt8
    /// The output pipe became readable (data or end of file).
    static let output = ChildEvents(rawValue: 1 << 0)
    /// The child's pidfd became readable: it exited (it is a zombie until we reap it).
    static let exited = ChildEvents(rawValue: 1 << 1)
    /// The watch's timer expired (a timeout, or the next look during a teardown).
    static let timer = ChildEvents(rawValue: 1 << 2)
    /// The task running the child was cancelled.
    static let cancelled = ChildEvents(rawValue: 1 << 3)
}

/// One thread that waits, with `epoll`, on the descriptors of every running child (its output
/// pipe, its pidfd, its timer) and wakes the task supervising that child.
///
/// Why one thread and `epoll` rather than tasks or dispatch sources: a step that runs `true`
/// is mostly waiting, and every hand-off between threads costs tens of microseconds on a
/// small machine. Here the task that spawned the child does all the work (reading, signalling,
/// reaping); the reactor only turns a kernel event into one continuation resume.
///
/// Descriptors are registered edge-triggered under a token naming their watch and kind; the
/// watch table maps tokens to watches, so an event for a watch already removed (it may be in
/// the batch `epoll_wait` returned) finds nothing and is dropped. Tokens are never reused.
final class ChildReactor: @unchecked Sendable {
    static let shared = ChildReactor()

    private let epoll: Int32
    private let watches = Mutex<[UInt64: ChildWatch]>([:])
    private let nextID = Atomic<UInt64>(1)

    private init() {
        epoll = flow_epoll_create()
        guard epoll >= 0 else {
            // Only at the descriptor limit; nothing can run then.
            fatalError("flow: epoll_create1 failed: \(errnoText(errno))")
        }
        let thread = Thread { [self] in serve() }
        thread.name = "flow.child-reactor"
        thread.start()
    }

    /// A new watch; its descriptors are added with ``ChildWatch/add(_:as:)``.
    func watch() -> ChildWatch {
        let id = nextID.add(1, ordering: .relaxed).oldValue
        let watch = ChildWatch(id: id, reactor: self)
        watches.withLock { $0[id] = watch }
        return watch
    }

    fileprivate func add(_ fd: Int32, token: UInt64) -> Bool {
        flow_epoll_add(epoll, fd, token) == 0
    }

    fileprivate func remove(_ fd: Int32) {
        _ = flow_epoll_remove(epoll, fd)
    }

    fileprivate func forget(_ id: UInt64) {
        _ = watches.withLock { $0.removeValue(forKey: id) }
    }

    private func serve() {
        let capacity = 64
        let tokens = UnsafeMutablePointer<UInt64>.allocate(capacity: capacity)
        while true {
            let count = flow_epoll_wait(epoll, tokens, Int32(capacity))
            if count < 0 {
                if errno == EINTR { continue }
                fatalError("flow: epoll_wait failed: \(errnoText(errno))")
            }
            for index in 0..<Int(count) {
                let token = tokens[index]
                let kind = ChildEvents(rawValue: UInt8(truncatingIfNeeded: token & 0xff))
                guard let watch = watches.withLock({ $0[token >> 8] }) else { continue }
                watch.post(kind)
            }
        }
    }
}

/// The events of one child, and the one task waiting for them.
final class ChildWatch: Sendable {
    private struct State {
        var pending: ChildEvents = []
        var waiter: CheckedContinuation<ChildEvents, Never>? = nil
    }

    let id: UInt64
    private let reactor: ChildReactor
    private let state = Mutex(State())
    private let descriptors = Mutex<[Int32]>([])

    fileprivate init(id: UInt64, reactor: ChildReactor) {
        self.id = id
        self.reactor = reactor
    }

    /// Watches `fd` for readability, reported as `kind`. False when epoll refused it.
    func add(_ fd: Int32, as kind: ChildEvents) -> Bool {
        guard reactor.add(fd, token: id << 8 | UInt64(kind.rawValue)) else { return false }
        descriptors.withLock { $0.append(fd) }
        return true
    }

    /// Records `events` and wakes the waiting task, if any. Called by the reactor thread, and
    /// by the cancellation handler.
    func post(_ events: ChildEvents) {
        let woken: (CheckedContinuation<ChildEvents, Never>, ChildEvents)? = state.withLock { state in
            state.pending.formUnion(events)
            guard let waiter = state.waiter else { return nil }
            state.waiter = nil
            defer { state.pending = [] }
            return (waiter, state.pending)
        }
        if let (waiter, events) = woken { waiter.resume(returning: events) }
    }

    /// What happened since the last call, without waiting (empty when nothing did).
    func poll() -> ChildEvents {
        state.withLock { state in
            defer { state.pending = [] }
            return state.pending
        }
    }

    /// What happened since the last call; waits until something does. One waiter at a time.
    func next() async -> ChildEvents {
        let ready = poll()
        if !ready.isEmpty { return ready }
        return await withCheckedContinuation { (waiter: CheckedContinuation<ChildEvents, Never>) in
            let ready: ChildEvents? = state.withLock { state in
                if !state.pending.isEmpty {
                    defer { state.pending = [] }
                    return state.pending
                }
                precondition(state.waiter == nil, "ChildWatch has a single waiter")
                state.waiter = waiter
                return nil
            }
            if let ready { waiter.resume(returning: ready) }
        }
    }

    /// Takes every descriptor out of the reactor and the watch out of its table. The caller
    /// closes the descriptors afterwards (closing first could let a new file reuse the number
    /// while it is still registered).
    func end() {
        for fd in descriptors.withLock({ $0 }) { reactor.remove(fd) }
        reactor.forget(id)
    }
}
