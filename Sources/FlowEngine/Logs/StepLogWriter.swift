import Foundation

/// Writes one attempt's log file, masked, with a fixed memory budget whatever the step prints.
///
/// Everything written goes through a ``StreamingMasker`` first; the file, ``lastLine``,
/// ``tail(lines:)`` and ``bytesWritten`` only ever see masked bytes.
///
/// **Memory.** Whatever the volume or the line lengths, the writer holds at most: a 64 KiB
/// write buffer, the masker's held-back tail (< the longest secret form), 64 KiB of recent
/// output for ``tail(lines:)``, 4 KiB of the current line for ``lastLine``, and in capped mode
/// a ring of the last `cap/2` bytes — which is why `cap` is limited to ``capRange``
/// (1 KiB … 64 MiB). A 2 GB stream or a 100 MB line costs no more than a short one.
///
/// **Capping.** With `cap`, the file keeps the first `cap/2` bytes of masked output (written
/// as they come) and the last `cap/2` (kept in memory, written by ``close()``), with the line
/// `\n… N bytes omitted …\n` between them when anything was left out. The cut points are
/// exact byte offsets, so they can fall inside a line or a UTF-8 character.
///
/// **Files.** The log is created (or truncated) mode 0600 and its missing parent directories
/// mode 0700, whatever the umask: the log of a step that mishandles a secret must not be
/// readable by other users in the meantime. It is created with the first byte of output: an
/// attempt that prints nothing leaves no file and no folder (readers treat a missing log as
/// empty). Creating two inodes per step (folder and file) was the largest cost of a short step
/// on ext4 (bench/engine.py); make and ninja keep no log at all.
///
/// **Flushing.** Each `write` ends with the bytes it produced in the file (bar what the masker
/// holds back), so `flow logs -f` follows a step as it prints.
///
/// **Concurrency.** A class rather than an actor because `write` sits on the hot path of
/// reading a step's pipe: it is synchronous, with no suspension per chunk. Writes come from
/// one task at a time, but a renderer may read ``lastLine`` (or ``tail(lines:)``) from another
/// task meanwhile, so all state is guarded by a lock; that is why the `@unchecked Sendable`
/// is sound.
public final class StepLogWriter: @unchecked Sendable {
    /// Accepted values of `cap`, in bytes.
    public static let capRange = 1024...(64 * 1024 * 1024)
    /// Size of the write buffer.
    static let bufferSize = 64 * 1024

    /// The log file's path.
    public let path: String
    /// The cap given at creation, nil when unlimited.
    public let cap: Int?

    private let lock = NSLock()
    /// Nil until the first byte of output.
    private var file: LogFile?
    /// The first error writing the file.
    private var failure: (any Error)?
    private var masker: StreamingMasker
    /// The run's secrets when the writer follows them; nil for a fixed masker.
    private let secrets: RunSecrets?
    /// The generation of `secrets` that `masker` was made from.
    private var generation = 0
    private var buffer: [UInt8] = []
    private var view = LogLineView()
    /// Bytes of masked output produced so far.
    private var total = 0
    /// How many leading bytes go straight to the file (all of them without a cap).
    private let headLimit: Int
    private var headWritten = 0
    /// The last `cap/2` bytes past the head; nil without a cap.
    private var tailRing: ByteRing?
    private var isClosed = false

    /// Prepares a log at `path`; the file (and its parent directories, mode 0700) is created
    /// with mode 0600, truncating, when the first byte of output comes. `cap`: nil = unlimited; else the file keeps the first cap/2 bytes and the last cap/2
    /// bytes, with one line `\n… N bytes omitted …\n` between them. Throws
    /// ``StepLogError/capOutOfRange(_:)`` when `cap` is outside ``capRange``.
    public convenience init(path: String, masker: SecretMasker, cap: Int? = nil) throws {
        try self.init(path: path, masker: masker, following: nil, cap: cap)
    }

    /// A log masked with `secrets` as they grow: a value learnt while the step runs is masked
    /// in what the step writes from then on (bytes written before stay as they were).
    public convenience init(path: String, secrets: RunSecrets, cap: Int? = nil) throws {
        let (masker, generation) = secrets.masker(after: -1)!
        try self.init(path: path, masker: masker, following: secrets, cap: cap)
        self.generation = generation
    }

    private init(path: String, masker: SecretMasker, following secrets: RunSecrets?, cap: Int?) throws {
        if let cap, !Self.capRange.contains(cap) { throw StepLogError.capOutOfRange(cap) }
        self.path = path
        self.cap = cap
        self.masker = StreamingMasker(masker)
        self.secrets = secrets
        if let cap {
            headLimit = cap / 2
            tailRing = ByteRing(capacity: cap / 2)
        } else {
            headLimit = .max
        }
        buffer.reserveCapacity(Self.bufferSize)
    }

    deinit {
        // Not closed: release the descriptor; the file keeps what was flushed.
        file?.abandon()
    }

    /// Masks (streaming) then appends. Throws ``StepLogError/closed(path:)`` after `close()`.
    public func write(_ bytes: some Collection<UInt8>) throws {
        lock.lock()
        defer { lock.unlock() }
        guard !isClosed else { throw StepLogError.closed(path: path) }
        if let secrets, let newer = secrets.masker(after: generation) {
            // New secrets: end the stream masked as it was (its held-back bytes decided by what
            // was known), and mask everything after with all of them.
            try append(masker.finish())
            masker = StreamingMasker(newer.masker)
            generation = newer.generation
        }
        try append(masker.feed(bytes))
        try flush()
    }

    /// The last complete line written so far (masked, ≤ 200 characters, trailing `\r\n`
    /// trimmed) — for the terminal's live view. "" until a first line is complete. A line
    /// shows as soon as its `\n` is written, unless its end could still be the beginning of a
    /// secret (then the masker holds those bytes back until the next write or `close()`).
    public var lastLine: String {
        lock.lock()
        defer { lock.unlock() }
        return view.lastLine
    }

    /// The last `n` lines (masked) — for printing on failure. Answered from the last 64 KiB
    /// of output, so fewer lines come back when they are long; a final line without `\n`
    /// counts. Bytes the masker still holds back (a possible beginning of a secret, at the
    /// very end) appear after the next write or ``close()``.
    public func tail(lines n: Int) -> [String] {
        lock.lock()
        defer { lock.unlock() }
        return view.tail(lines: n)
    }

    /// Bytes of masked output so far, before capping (what an uncapped file would hold).
    /// Until ``close()``, the masker may still hold back the last few input bytes (those that
    /// could be the beginning of a secret).
    public var bytesWritten: Int {
        lock.lock()
        defer { lock.unlock() }
        return total
    }

    /// Flushes the masker, finalises the capped file (head + marker + tail) and
    /// closes (without fsync: see ``LogFile/close()``). A second call does nothing.
    public func close() throws {
        lock.lock()
        defer { lock.unlock() }
        guard !isClosed else { return }
        isClosed = true
        do {
            try append(masker.finish())
            try flush()
            if let tailRing {
                let omitted = total - headWritten - tailRing.count
                if omitted > 0 { try fileWrite(Array("\n… \(omitted) bytes omitted …\n".utf8)) }
                try tailRing.withPieces { (first, second) throws in
                    try fileWrite(first)
                    try fileWrite(second)
                }
            }
        } catch {
            file?.abandon()
            throw error
        }
        try file?.close()
    }

    // MARK: - private (called with the lock held)

    private func append(_ masked: [UInt8]) throws {
        guard !masked.isEmpty else { return }
        total += masked.count
        try masked.withUnsafeBufferPointer { (all) throws in
            view.append(all)
            var rest = all
            if headWritten < headLimit {
                let count = min(headLimit - headWritten, rest.count)
                try bufferedWrite(UnsafeBufferPointer(rebasing: rest[..<count]))
                headWritten += count
                rest = UnsafeBufferPointer(rebasing: rest[count...])
            }
            if !rest.isEmpty { tailRing?.append(rest) }
        }
    }

    private func bufferedWrite(_ bytes: UnsafeBufferPointer<UInt8>) throws {
        if buffer.count + bytes.count > Self.bufferSize { try flush() }
        if bytes.count >= Self.bufferSize {
            try fileWrite(bytes)
        } else {
            buffer.append(contentsOf: bytes)
        }
    }

    private func flush() throws {
        guard !buffer.isEmpty else { return }
        try buffer.withUnsafeBufferPointer { (bytes) throws in try fileWrite(bytes) }
        buffer.removeAll(keepingCapacity: true)
    }

    /// Writes to the file, creating it first if this is the first output. After a failure
    /// (the folder cannot be made, the disk is full) nothing more is written and every later
    /// call, `close()` included, throws that first error.
    private func fileWrite(_ bytes: UnsafeBufferPointer<UInt8>) throws {
        guard !bytes.isEmpty else { return }
        if let failure { throw failure }
        do {
            if file == nil { file = try LogFile(path: path) }
            try file!.write(bytes)
        } catch {
            failure = error
            throw error
        }
    }

    private func fileWrite(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBufferPointer { (buffer) throws in try fileWrite(buffer) }
    }
}
