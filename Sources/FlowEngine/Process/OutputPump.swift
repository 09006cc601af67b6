import Subprocess

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Moves the child's combined output from swift-subprocess's pipe reader to the
/// ``OutputChannel`` in chunks of at most ``maxChunk`` bytes, never accumulating.
///
/// swift-subprocess reads at most one pipe-buffer's worth per read (`F_GETPIPE_SZ`, 64 KiB by
/// default) and, once the child has exited, stops waiting for an EOF that a surviving
/// grandchild could withhold forever: it returns what is immediately available, then ends.
/// A grandchild that keeps *writing* would keep that going, so after the child is seen to have
/// exited the pump reads at most ``postExitBudget`` more bytes (the most a pipe can hold) and stops.
struct OutputPump: Sendable {
    /// The largest chunk handed to the output handler.
    static let maxChunk = 64 * 1024
    /// How much is still read after the child exited: the default maximum pipe size (`pipe-max-size`).
    static let postExitBudget = 1024 * 1024

    let child: ChildProbe
    let channel: OutputChannel

    /// Pumps until EOF, until swift-subprocess ends the stream after the child exited, or until
    /// the post-exit budget is spent. A read error ends the pump too (nothing more can be read).
    func pump(_ output: SubprocessOutputSequence) async {
        var remainingAfterExit: Int? = nil
        do {
            for try await buffer in output {
                let bytes = Self.copy(buffer)
                var start = 0
                while start < bytes.count {
                    let end = min(start + Self.maxChunk, bytes.count)
                    await channel.send(bytes[start..<end])
                    start = end
                }
                if var remaining = remainingAfterExit {
                    remaining -= bytes.count
                    if remaining <= 0 { break }
                    remainingAfterExit = remaining
                } else if child.hasExited() {
                    remainingAfterExit = Self.postExitBudget
                }
            }
        } catch {
            // The pipe failed; the child still runs to its end (or timeout) without us reading.
        }
    }

    /// The buffer's bytes as an array, copied with `memcpy` (an element-wise copy is slow in
    /// debug builds, which matters at hundreds of megabytes).
    static func copy(_ buffer: SubprocessOutputSequence.Buffer) -> [UInt8] {
        buffer.withUnsafeBytes { source in
            [UInt8](unsafeUninitializedCapacity: source.count) { target, initialized in
                if let from = source.baseAddress, let to = target.baseAddress {
                    memcpy(to, from, source.count)
                }
                initialized = source.count
            }
        }
    }
}
