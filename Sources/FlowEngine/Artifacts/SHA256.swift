/// SHA-256 (FIPS 180-4), for artifact digests. Written here rather than taken from swift-crypto,
/// whose Linux build compiles BoringSSL (minutes on a 2-core CI machine) for this one function;
/// checked against the NIST test vectors.
public struct SHA256: Sendable {
    private var state: [UInt32] = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]
    private var buffer: [UInt8] = []
    private var length: UInt64 = 0

    private static let k: [UInt32] = [
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
        0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
        0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
        0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
        0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
        0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
        0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
    ]

    public init() {}

    /// The hex digest of `bytes`.
    public static func hex(_ bytes: some Collection<UInt8>) -> String {
        var hash = SHA256()
        hash.update(bytes)
        return hash.finalizeHex()
    }

    public mutating func update(_ bytes: some Collection<UInt8>) {
        length &+= UInt64(bytes.count)
        let absorbed: Void? = bytes.withContiguousStorageIfAvailable { absorb(UnsafeRawBufferPointer($0)) }
        if absorbed == nil { Array(bytes).withUnsafeBytes { absorb($0) } }
    }

    /// Compresses every whole block of what is pending plus `bytes`, keeping the rest (< 64 bytes).
    private mutating func absorb(_ bytes: UnsafeRawBufferPointer) {
        guard var next = bytes.baseAddress else { return }
        var left = bytes.count
        if !buffer.isEmpty {
            let taken = min(64 - buffer.count, left)
            buffer.append(contentsOf: UnsafeRawBufferPointer(start: next, count: taken))
            next += taken
            left -= taken
            guard buffer.count == 64 else { return }
            buffer.withUnsafeBytes { block in compress(block.baseAddress!, blocks: 1) }
            buffer.removeAll(keepingCapacity: true)
        }
        if left >= 64 {
            compress(next, blocks: left / 64)
            next += left / 64 * 64
            left %= 64
        }
        if left > 0 { buffer.append(contentsOf: UnsafeRawBufferPointer(start: next, count: left)) }
    }

    public mutating func finalizeHex() -> String {
        let bits = length &* 8
        var tail = buffer
        tail.append(0x80)
        while tail.count % 64 != 56 { tail.append(0) }
        for shift in stride(from: 56, through: 0, by: -8) { tail.append(UInt8(truncatingIfNeeded: bits >> UInt64(shift))) }
        tail.withUnsafeBytes { compress($0.baseAddress!, blocks: $0.count / 64) }
        buffer = []
        let digits: StaticString = "0123456789abcdef"
        var out = [UInt8](repeating: 0, count: 64)
        digits.withUTF8Buffer { hex in
            for (n, word) in state.enumerated() {
                for i in 0..<8 { out[n * 8 + i] = hex[Int((word >> UInt32(28 - 4 * i)) & 0xf)] }
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Compresses `blocks` 64-byte blocks starting at `start` into the state. The message
    /// schedule lives on the stack; the state and constants are read through pointers, so no
    /// block pays for allocation, copy-on-write checks or bounds checks.
    private mutating func compress(_ start: UnsafeRawPointer, blocks: Int) {
        withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 64) { w in
            Self.k.withUnsafeBufferPointer { k in
                state.withUnsafeMutableBufferPointer { h in
                    for block in 0..<blocks {
                        let bytes = start + block * 64
                        for i in 0..<16 { w[i] = UInt32(bigEndian: bytes.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self)) }
                        for i in 16..<64 {
                            let s0 = w[i - 15].rotr(7) ^ w[i - 15].rotr(18) ^ (w[i - 15] >> 3)
                            let s1 = w[i - 2].rotr(17) ^ w[i - 2].rotr(19) ^ (w[i - 2] >> 10)
                            w[i] = w[i - 16] &+ s0 &+ w[i - 7] &+ s1
                        }
                        var (a, b, c, d, e, f, g, hh) = (h[0], h[1], h[2], h[3], h[4], h[5], h[6], h[7])
                        for i in 0..<64 {
                            let s1 = e.rotr(6) ^ e.rotr(11) ^ e.rotr(25)
                            let ch = (e & f) ^ (~e & g)
                            let t1 = hh &+ s1 &+ ch &+ k[i] &+ w[i]
                            let s0 = a.rotr(2) ^ a.rotr(13) ^ a.rotr(22)
                            let maj = (a & b) ^ (a & c) ^ (b & c)
                            let t2 = s0 &+ maj
                            (hh, g, f, e, d, c, b, a) = (g, f, e, d &+ t1, c, b, a, t1 &+ t2)
                        }
                        h[0] &+= a; h[1] &+= b; h[2] &+= c; h[3] &+= d
                        h[4] &+= e; h[5] &+= f; h[6] &+= g; h[7] &+= hh
                    }
                }
            }
        }
    }
}

extension UInt32 {
    fileprivate func rotr(_ n: UInt32) -> UInt32 { (self >> n) | (self << (32 - n)) }
}
