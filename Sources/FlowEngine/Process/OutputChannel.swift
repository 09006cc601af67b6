import Synchronization

/// A one-slot hand-off of output chunks from the supervising task to the caller's task.
///
/// The supervision runs in its own unstructured task, so that cancelling the caller does not
/// cut short the SIGTERM/grace/SIGKILL sequence; the caller's `OutputHandler` is non-escaping,
/// so it cannot be moved into that task. Instead the caller drains this channel and calls the
/// handler itself. `send` returns only once the consumer has taken the chunk, so at most two
/// chunks exist at a time (one being handled, one waiting): memory stays bounded and a slow
/// handler slows the reader, and with it the child (back-pressure).
///
/// Neither side observes task cancellation: output keeps flowing during a cancellation's
/// grace period, and the stream ends only when the producer calls `finish`.
final class OutputChannel: Sendable {
    private struct State {
        var pending: (chunk: ArraySlice<UInt8>, producer: CheckedContinuation<Void, Never>)? = nil
        var consumer: CheckedContinuation<ArraySlice<UInt8>?, Never>? = nil
        var finished = false
    }

    private let state = Mutex(State())

    /// Hands `chunk` over; returns once the consumer has taken it (or the channel is finished).
    func send(_ chunk: ArraySlice<UInt8>) async {
        await withCheckedContinuation { (producer: CheckedContinuation<Void, Never>) in
            let consumer: CheckedContinuation<ArraySlice<UInt8>?, Never>?? = state.withLock { state in
                if state.finished { return .some(nil) }
                if let consumer = state.consumer {
                    state.consumer = nil
                    return .some(consumer)
                }
                precondition(state.pending == nil, "OutputChannel has a single producer")
                state.pending = (chunk, producer)
                return .none
            }
            switch consumer {
            case .none:
                break // parked until `next` takes it
            case .some(nil):
                producer.resume() // finished: drop
            case .some(.some(let consumer)):
                consumer.resume(returning: chunk)
                producer.resume()
            }
        }
    }

    /// The next chunk, or nil once the producer has finished and everything was taken.
    func next() async -> ArraySlice<UInt8>? {
        await withCheckedContinuation { (consumer: CheckedContinuation<ArraySlice<UInt8>?, Never>) in
            let ready: (chunk: ArraySlice<UInt8>, producer: CheckedContinuation<Void, Never>?)? = state.withLock { state in
                if let pending = state.pending {
                    state.pending = nil
                    return (pending.chunk, pending.producer)
                }
                if state.finished { return ([], nil) }
                precondition(state.consumer == nil, "OutputChannel has a single consumer")
                state.consumer = consumer
                return nil
            }
            guard let ready else { return }
            if let producer = ready.producer {
                consumer.resume(returning: ready.chunk)
                producer.resume()
            } else {
                consumer.resume(returning: nil)
            }
        }
    }

    /// Ends the stream: a waiting consumer gets nil; later `send`s are dropped.
    func finish() {
        let consumer = state.withLock { state in
            state.finished = true
            // A chunk still pending stays deliverable: `next` hands it out before reporting the end.
            defer { state.consumer = nil }
            return state.consumer
        }
        consumer?.resume(returning: nil)
    }
}
