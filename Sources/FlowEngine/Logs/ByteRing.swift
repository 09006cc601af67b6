/// A fixed-capacity ring of the most recent bytes appended: once full, each append drops the
/// oldest bytes. Storage is allocated up to `capacity` as bytes arrive and never beyond it.
struct ByteRing: Sendable {
    let capacity: Int
    private var storage: [UInt8] = []
    /// Index in `storage` of the oldest byte once the ring is full.
    private var start = 0
    /// Every byte ever appended, including those dropped.
    private(set) var totalAppended = 0

    init(capacity: Int) {
        precondition(capacity > 0, "ByteRing needs a positive capacity")
        self.capacity = capacity
    }

    /// How many bytes the ring holds now (≤ capacity).
    var count: Int { storage.count }

    /// True once bytes have been dropped from the front.
    var hasDropped: Bool { totalAppended > storage.count }

    mutating func append(_ bytes: UnsafeBufferPointer<UInt8>) {
        totalAppended += bytes.count
        var input = bytes
        if input.count >= capacity {
            // Only the last `capacity` bytes can survive.
            input = UnsafeBufferPointer(rebasing: input[(input.count - capacity)...])
            storage.removeAll(keepingCapacity: true)
            storage.append(contentsOf: input)
            start = 0
            return
        }
        if storage.count < capacity {
            let room = capacity - storage.count
            let first = min(room, input.count)
            storage.append(contentsOf: UnsafeBufferPointer(rebasing: input[..<first]))
            input = UnsafeBufferPointer(rebasing: input[first...])
            if input.isEmpty { return }
        }
        // Full: overwrite the oldest bytes in place, wrapping once at most.
        storage.withUnsafeMutableBufferPointer { ring in
            var offset = 0
            while offset < input.count {
                let run = min(input.count - offset, capacity - start)
                (ring.baseAddress! + start).update(from: input.baseAddress! + offset, count: run)
                offset += run
                start = (start + run) % capacity
            }
        }
    }

    /// The bytes held, oldest first, as at most two contiguous pieces (no copy).
    func withPieces<R>(_ body: (UnsafeBufferPointer<UInt8>, UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        try storage.withUnsafeBufferPointer { all in
            try body(
                UnsafeBufferPointer(rebasing: all[start...]),
                UnsafeBufferPointer(rebasing: all[..<start]))
        }
    }

    /// The bytes held, oldest first, copied.
    var bytes: [UInt8] {
        withPieces { first, second in Array(first) + Array(second) }
    }
}
